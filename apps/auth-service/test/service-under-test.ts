import { RpcClient } from '@plue/service-kit';
import { useServiceUnderTest } from '@plue/testing';

/** The built auth-service (as `plue_auth`) for the spec file that calls this at its top level: see useServiceUnderTest. */
export function useAuthService(env?: Record<string, string>) {
  return useServiceUnderTest({
    service: 'auth-service',
    role: 'plue_auth',
    rpc: (nats) => new RpcClient(nats),
    // debug logs every handled message: the specs check that no secret reaches the logs.
    env: { LOG_LEVEL: 'debug', ...env },
  });
}
