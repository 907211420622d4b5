import { runServiceMain } from '@plue/service-kit';
import { GIT_SERVICE } from './git-service.definition';

void runServiceMain(GIT_SERVICE);
