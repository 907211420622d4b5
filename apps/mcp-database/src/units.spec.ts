import { closestNames, editDistance } from './closest-names';
import { ConfigurationError, isLoopback, readConfig, TEST_ONLY_DISABLE_SQL_GUARD } from './config';
import { parseQualifiedName } from './tools/describe-table.tool';
import { escapeLike } from './tools/find-user.tool';
import { capCell, parseJsonExactly } from './value-format';
import { toToolError } from './tool-error';

const URL_ENV = { DATABASE_URL: 'postgres://plue_readonly@localhost:5432/plue' };

describe('readConfig', () => {
  it('has safe defaults: stdio, caps, a timeout, the guard on', () => {
    const config = readConfig(URL_ENV);
    expect(config).toMatchObject({
      http: undefined,
      sqlGuardDisabledForTests: false,
      limits: {
        defaultRows: 100,
        maxRows: 1000,
        maxCellChars: 2000,
        maxResponseBytes: 256 * 1024,
        statementTimeoutMs: 15_000,
      },
    });
  });

  it('serves HTTP on 127.0.0.1 unless told otherwise, and needs a token elsewhere', () => {
    expect(readConfig(URL_ENV, { http: true }).http).toEqual({ host: '127.0.0.1', port: 3100, token: undefined });
    expect(readConfig({ ...URL_ENV, MCP_TRANSPORT: 'http', MCP_HTTP_PORT: '9000' }).http?.port).toBe(9000);
    expect(() => readConfig(URL_ENV, { http: true, host: '0.0.0.0' })).toThrow(/without MCP_HTTP_TOKEN/);
    expect(() => readConfig(URL_ENV, { http: true, host: '192.168.1.5' })).toThrow(ConfigurationError);
    const token = 'x'.repeat(32);
    expect(readConfig({ ...URL_ENV, MCP_HTTP_TOKEN: token }, { http: true, host: '0.0.0.0' }).http).toEqual({
      host: '0.0.0.0',
      port: 3100,
      token,
    });
    expect(() => readConfig(URL_ENV, { host: '127.0.0.1' })).toThrow(/only with --http/);
  });

  it('honours the test-only guard switch only as 1 with NODE_ENV=test', () => {
    expect(
      readConfig({ ...URL_ENV, NODE_ENV: 'test', [TEST_ONLY_DISABLE_SQL_GUARD]: '1' }).sqlGuardDisabledForTests,
    ).toBe(true);
    for (const env of [
      { [TEST_ONLY_DISABLE_SQL_GUARD]: '1' },
      { NODE_ENV: 'production', [TEST_ONLY_DISABLE_SQL_GUARD]: '1' },
      { NODE_ENV: 'development', [TEST_ONLY_DISABLE_SQL_GUARD]: 'true' },
      { NODE_ENV: 'test', [TEST_ONLY_DISABLE_SQL_GUARD]: 'yes' },
    ]) {
      expect(() => readConfig({ ...URL_ENV, ...env })).toThrow(/test-only switch/);
    }
  });

  it('names every bad variable', () => {
    expect(() => readConfig({ MCP_MAX_ROWS: '0', MCP_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(
      /DATABASE_URL is required.*MCP_STATEMENT_TIMEOUT_MS must be a number.*MCP_MAX_ROWS must be at least 1/,
    );
    expect(() => readConfig({ ...URL_ENV, MCP_DEFAULT_ROWS: '50', MCP_MAX_ROWS: '10' })).toThrow(/MCP_DEFAULT_ROWS/);
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'example.com', '127.0.0.1.example.com']) {
      expect(isLoopback(host)).toBe(false);
    }
  });
});

describe('escapeLike', () => {
  it('escapes %, _ and the escape character itself', () => {
    expect(escapeLike('%')).toBe('\\%');
    expect(escapeLike('a_b%c\\d')).toBe('a\\_b\\%c\\\\d');
    expect(escapeLike('alice')).toBe('alice');
  });
});

describe('parseQualifiedName', () => {
  it('folds unquoted names to lower case and keeps quoted ones', () => {
    expect(parseQualifiedName('Issues')).toEqual({ schema: null, name: 'issues' });
    expect(parseQualifiedName('git.Outbox')).toEqual({ schema: 'git', name: 'outbox' });
    expect(parseQualifiedName('"My Schema"."Odd""Name"')).toEqual({ schema: 'My Schema', name: 'Odd"Name' });
    expect(parseQualifiedName(' public.users ')).toEqual({ schema: 'public', name: 'users' });
  });

  it('rejects what is not a name', () => {
    for (const text of ['a.b.c', '', '.', 'a.', '"open', '"a"x']) expect(parseQualifiedName(text)).toBeNull();
  });
});

describe('closestNames', () => {
  it('prefers names that contain the text, then the smallest edit distance', () => {
    expect(editDistance('isues', 'issues')).toBe(1);
    const names = ['issues', 'issue_labels', 'users', 'labels', 'comments'];
    expect(closestNames('isues', names, (name) => name, 2)).toEqual(['issues', 'users']);
    expect(closestNames('label', names, (name) => name, 2)).toEqual(['labels', 'issue_labels']);
  });
});

describe('values', () => {
  it('parses JSON unless a number would lose digits', () => {
    expect(parseJsonExactly('{"a": [1, 2.5, -3e10], "s": "12345678901234567890"}')).toEqual({
      a: [1, 2.5, -3e10],
      s: '12345678901234567890',
    });
    expect(parseJsonExactly('{"n": 12345678901234567890}')).toBe('{"n": 12345678901234567890}');
    expect(parseJsonExactly('0.12345678901234567')).toBe('0.12345678901234567');
    expect(parseJsonExactly('123456789012345')).toBe(123456789012345);
  });

  it('cuts cells longer than the cap', () => {
    expect(capCell('abcdef', 3)).toEqual({ value: 'abc…', cut: true });
    expect(capCell('abc', 3)).toEqual({ value: 'abc', cut: false });
    expect(capCell({ a: 'xxxxxxxx' }, 5)).toEqual({ value: '{"a":…', cut: true });
    expect(capCell(12345678, 3)).toEqual({ value: 12345678, cut: false });
    expect(capCell(null, 3)).toEqual({ value: null, cut: false });
  });
});

describe('toToolError', () => {
  it('maps SQLSTATEs to kinds', () => {
    const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    expect(toToolError(pg('57014', 'canceling statement due to statement timeout'))).toMatchObject({
      kind: 'timeout',
      sqlstate: '57014',
    });
    expect(toToolError(pg('57014', 'canceling statement due to user request'))).toMatchObject({ kind: 'cancelled' });
    expect(toToolError(pg('57014', 'canceling statement due to user request'), 'timeout')).toMatchObject({
      kind: 'timeout',
    });
    expect(toToolError(pg('55P03'))).toMatchObject({ kind: 'timeout' });
    expect(toToolError(pg('42501'))).toMatchObject({ kind: 'database', hint: expect.stringContaining('secret') });
    expect(toToolError(new Error('timeout exceeded when trying to connect'))).toMatchObject({ kind: 'limit' });
    expect(toToolError(new Error('ECONNREFUSED'))).toMatchObject({ kind: 'database', sqlstate: null });
  });
});
