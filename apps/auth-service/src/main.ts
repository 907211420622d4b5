import { runServiceMain } from '@plue/service-kit';
import { AUTH_SERVICE } from './auth-service.definition';

void runServiceMain(AUTH_SERVICE);
