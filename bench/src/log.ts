/** Receives progress lines; they go to stderr so that stdout carries only the results. */
export type Log = (line: string) => void;

export const logToStderr: Log = (line) => process.stderr.write(`${line}\n`);

export function formatSeconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
