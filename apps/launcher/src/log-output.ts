/** Writes one line a service printed to the launcher's own stdout or stderr. */
export type LogOutput = (service: string, line: string, stream: 'stdout' | 'stderr') => void;

const WIDTH = 'collaboration-service'.length;
/** Fields every service log line has; the pretty form shows them in its prefix or not at all. */
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'msg', 'service', 'pid']);

/**
 * On a terminal, the services' JSON log lines become `<service> <time> <LEVEL> <msg> <other fields>`
 * for reading; otherwise they pass through unchanged (each names its service), so they can go
 * through jq or to a log collector. Anything that is not a JSON log line is prefixed by the service.
 */
export function createLogOutput(
  pretty: boolean,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): LogOutput {
  return (service, line, stream) => {
    const target = stream === 'stdout' ? stdout : stderr;
    const entry = stream === 'stdout' ? parseLogLine(line) : undefined;
    if (entry && !pretty) return void target.write(`${line}\n`);
    const label = service.padEnd(WIDTH);
    if (!entry) return void target.write(`${label} ${line}\n`);
    const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
    const level = String(entry.level ?? '').toUpperCase();
    const rest = Object.entries(entry).filter(([key]) => !SHOWN_ELSEWHERE.has(key));
    const fields = rest.length ? ` ${JSON.stringify(Object.fromEntries(rest))}` : '';
    target.write(`${label} ${time} ${level.padEnd(5)} ${String(entry.msg ?? '')}${fields}\n`);
  };
}

export function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
