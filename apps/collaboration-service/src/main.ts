import { runServiceMain } from '@plue/service-kit';
import { COLLABORATION_SERVICE } from './collaboration-service.definition';

void runServiceMain(COLLABORATION_SERVICE);
