import { globToRegExp, isGlob, matchesGlob } from '@plue/globs';

describe('branch globs', () => {
  it.each([
    ['release/*', 'release/1.0', true],
    ['release/*', 'release/1.0/hotfix', false], // * stays within one component
    ['release/**', 'release/1.0/hotfix', true], // ** crosses components
    ['release/**', 'release', false],
    ['feature**', 'feature/a/b', true], // ** crosses "/" wherever it stands
    ['feature*', 'feature/a', false],
    ['**', 'any/thing/at/all', true],
    ['*', 'main', true],
    ['*', 'team/main', false],
    ['v?', 'v1', true],
    ['v?', 'v10', false],
    ['?', '/', false], // ? never matches "/"
    ['*-rc', 'v1.0-rc', true],
    ['release/v1.0', 'release/v1x0', false], // "." is literal
    ['{main,dev}', 'dev', false], // braces are literal (branch names may contain them)
    ['{main,dev}', '{main,dev}', true],
    ['!main', 'dev', false], // no negation
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
    ['émoji/*', 'émoji/✓', true],
  ])('%s against %s → %s', (pattern, branch, expected) => {
    expect(matchesGlob(pattern, branch)).toBe(expected);
  });

  it('builds anchored regular expressions', () => {
    expect(globToRegExp('main').test('not-main')).toBe(false);
    expect(globToRegExp('main').test('main-2')).toBe(false);
  });
});

describe('isGlob', () => {
  it('tells patterns with wildcards from plain branch names', () => {
    expect(isGlob('release/*')).toBe(true);
    expect(isGlob('v?')).toBe(true);
    expect(isGlob('main')).toBe(false);
  });
});
