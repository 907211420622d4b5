import { RpcClient } from '@plue/service-kit';
import { useServiceUnderTest } from '@plue/testing';

/** The built git-service (as `plue_git`) for the spec file that calls this at its top level: see useServiceUnderTest. */
export function useGitService(env?: Record<string, string>, instances = 1) {
  return useServiceUnderTest({
    service: 'git-service',
    role: 'plue_git',
    rpc: (nats) => new RpcClient(nats),
    env,
    instances,
  });
}
