import { runServiceMain } from '@plue/service-kit';
import { AGENT_SERVICE } from './agent-service.definition';

void runServiceMain(AGENT_SERVICE);
