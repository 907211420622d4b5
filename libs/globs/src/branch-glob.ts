/**
 * Branch glob patterns, one semantics for every place a user writes one (branch protection rule
 * names in git, workflow trigger branch filters in agent):
 *   `*`  any run of characters except "/" (stays within one path component),
 *   `**` any run of characters including "/" (crosses components),
 *   `?`  one character except "/";
 * every other character stands for itself. Branch names can contain none of `*`, `?` (git
 * check-ref-format forbids them), so a pattern without them can only match by exact name.
 *
 * picomatch was considered and not used: there `**` crosses "/" only as a whole path segment
 * (`release**` does not match `release/1/2`), `release/**` also matches `release`, a leading "!"
 * negates, and braces and brackets are special although branch names may contain braces.
 */
export function isGlob(ruleName: string): boolean {
  return /[*?]/.test(ruleName);
}

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const character = pattern[i];
    if (character === '*' && pattern[i + 1] === '*') {
      source += '.*';
      while (pattern[i + 1] === '*') i += 1;
    } else if (character === '*') {
      source += '[^/]*';
    } else if (character === '?') {
      source += '[^/]';
    } else {
      source += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'su');
}

export function matchesGlob(pattern: string, branchName: string): boolean {
  return globToRegExp(pattern).test(branchName);
}
