import { RpcClient } from '@plue/service-kit';
import { useServiceUnderTest } from '@plue/testing';

/** The built collaboration-service (as `plue_collaboration`) for the spec file that calls this at its top level: see useServiceUnderTest. */
export function useCollaborationService(env?: Record<string, string>, instances = 1) {
  return useServiceUnderTest({
    service: 'collaboration-service',
    role: 'plue_collaboration',
    rpc: (nats) => new RpcClient(nats),
    env,
    instances,
  });
}
