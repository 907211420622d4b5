import { z } from 'zod';

// agent-service's own settings (beyond the shared DATABASE_URL, NATS_URL, HEALTH_PORT…), checked
// at start with the shared ones: a bad value refuses to start with one line naming the variable.

const seconds = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .positive('must be a positive number of seconds')
    .max(86_400, 'must be at most 86400 seconds (one day)')
    .default(fallback);

export const agentServiceSettingsSchema = z.object({
  /** A runner whose last heartbeat (or claim) is older than this is terminated and loses its step. */
  RUNNER_HEARTBEAT_TIMEOUT_SECONDS: seconds(60),
  /** How often each instance looks for stale runners. */
  RUNNER_REAP_INTERVAL_SECONDS: seconds(15),
});

export type AgentServiceSettings = z.output<typeof agentServiceSettingsSchema>;
