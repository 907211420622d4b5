import { gitRefNameProblem, nameWithoutClash, repositoryNameProblem } from '@plue/git';
import { useTestDatabase } from '@plue/testing';

const database = useTestDatabase();

const REF_NAMES = [
  'main',
  'feature/x',
  'release/v1.0',
  'a',
  'ü-branch',
  'x@y',
  'a{b}',
  'v1.0-rc.1',
  'refs/heads/x',
  '',
  '@',
  '-x',
  '/x',
  '.x',
  'x/',
  'x.',
  'a..b',
  'a//b',
  'a/.b',
  'a@{b',
  'x.lock',
  'x.lock/y',
  'a b',
  'a\tb',
  'a~b',
  'a^b',
  'a:b',
  'a?b',
  'a*b',
  'a[b',
  'a\\b',
  'a\u0007b',
  'x'.repeat(255),
  'x'.repeat(256),
  'é'.repeat(255),
];

const REPOSITORY_NAMES = [
  'plue',
  'Plue.js',
  'a_b-c.d',
  'x',
  '.github',
  '...',
  'x'.repeat(100),
  'x'.repeat(101),
  '',
  '.',
  '..',
  'repo.git',
  'repo.GIT',
  'repo.gitx',
  'git',
  'has space',
  'slash/name',
  'ümlaut',
  'a+b',
];

describe('name rules agree with the schema', () => {
  it('accepts exactly the branch names is_valid_git_ref_name accepts', async () => {
    const client = await database().connect();
    const { rows } = await client.query<{ name: string; valid: boolean }>(
      'SELECT name, is_valid_git_ref_name(name) AS valid FROM unnest($1::text[]) AS t (name)',
      [REF_NAMES],
    );
    for (const row of rows) expect([row.name, gitRefNameProblem(row.name) === null]).toEqual([row.name, row.valid]);
    expect(rows.filter((row) => row.valid).length).toBeGreaterThan(5);
    expect(rows.filter((row) => !row.valid).length).toBeGreaterThan(20);
  });

  it('accepts exactly the repository names repositories_name_check accepts', async () => {
    const client = await database().connect();
    const { rows } = await client.query<{ name: string; valid: boolean }>(
      `SELECT name, coalesce(char_length(name) BETWEEN 1 AND 100 AND name ~ '^[A-Za-z0-9._-]+$'
                             AND name NOT IN ('.', '..') AND lower(name) !~ '\\.git$', false) AS valid
         FROM unnest($1::text[]) AS t (name)`,
      [REPOSITORY_NAMES],
    );
    for (const row of rows) expect([row.name, repositoryNameProblem(row.name) === null]).toEqual([row.name, row.valid]);
  });

  it('explains each refusal', () => {
    expect(repositoryNameProblem('repo.git')).toBe('must not end with ".git"');
    expect(repositoryNameProblem('..')).toBe('must not be "." or ".."');
    expect(repositoryNameProblem('a b')).toMatch(/only letters, digits/);
    expect(repositoryNameProblem('x'.repeat(101))).toMatch(/1 to 100/);
    expect(gitRefNameProblem('a..b')).toMatch(/must not/);
  });
});

describe('nameWithoutClash', () => {
  it('keeps a free name', () => {
    expect(nameWithoutClash('tools', new Set(['other']))).toBe('tools');
  });

  it('takes the smallest free numeric suffix, comparing without case', () => {
    expect(nameWithoutClash('Tools', new Set(['tools']))).toBe('Tools-1');
    expect(nameWithoutClash('tools', new Set(['tools', 'tools-1', 'tools-3']))).toBe('tools-2');
  });

  it('shortens the base so the result stays a valid name of at most 100 characters', () => {
    const long = 'a'.repeat(100);
    const renamed = nameWithoutClash(long, new Set([long]));
    expect(renamed).toBe(`${'a'.repeat(98)}-1`);
    expect(repositoryNameProblem(renamed)).toBeNull();
    const almostGit = `${'b'.repeat(94)}.gitxx`;
    expect(repositoryNameProblem(nameWithoutClash(almostGit, new Set([almostGit])))).toBeNull();
  });
});
