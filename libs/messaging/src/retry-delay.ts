/**
 * Exponential backoff with jitter: `initialMs` × 2^(attempt−1), capped at `maxMs`, then spread
 * over 50–100 % so that instances retrying the same outage do not hit it in step.
 */
export function retryDelay(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}
