import { RpcClient } from '@plue/service-kit';
import { useServiceUnderTest } from '@plue/testing';

/** The built agent-service (as `plue_agent`) for the spec file that calls this at its top level: see useServiceUnderTest. */
export function useAgentService(env?: Record<string, string>, instances = 1) {
  return useServiceUnderTest({
    service: 'agent-service',
    role: 'plue_agent',
    rpc: (nats) => new RpcClient(nats),
    env,
    instances,
  });
}
