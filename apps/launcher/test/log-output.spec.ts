import { PassThrough } from 'node:stream';
import { createLogOutput } from '../src/log-output';

function capture(pretty: boolean) {
  const stdout = new PassThrough().setEncoding('utf8');
  const stderr = new PassThrough().setEncoding('utf8');
  const output = createLogOutput(pretty, stdout, stderr);
  return { output, stdout: () => stdout.read() ?? '', stderr: () => stderr.read() ?? '' };
}

const line = JSON.stringify({
  level: 'info',
  time: '2026-11-29T14:36:11.733Z',
  service: 'auth-service',
  pid: 16608,
  healthPort: 8081,
  msg: 'auth-service ready',
});

describe("the services' log lines on the launcher's output", () => {
  it('are readable on a terminal: service, time, level, message, then the other fields', () => {
    const { output, stdout } = capture(true);
    output('auth-service', line, 'stdout');
    expect(stdout()).toBe('auth-service          14:36:11.733 INFO  auth-service ready {"healthPort":8081}\n');
  });

  it('pass through unchanged otherwise, for jq or a log collector', () => {
    const { output, stdout } = capture(false);
    output('auth-service', line, 'stdout');
    expect(stdout()).toBe(`${line}\n`);
  });

  it('name their service when they are not JSON log lines, on the stream they came from', () => {
    const { output, stdout, stderr } = capture(false);
    output('git-service', 'git-service cannot start, fix its environment: NATS_URL is required', 'stderr');
    output('git-service', '{not json', 'stdout');
    expect(stderr()).toBe(
      'git-service           git-service cannot start, fix its environment: NATS_URL is required\n',
    );
    expect(stdout()).toBe('git-service           {not json\n');
  });
});
