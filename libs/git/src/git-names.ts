import { z } from 'zod';

// The schema's CHECK constraints, restated so that bad input is refused with a clear message
// before it reaches SQL. The database keeps the same rules as the last line of defence.

/** Length as PostgreSQL's char_length counts it (code points, not UTF-16 units). */
export function charLength(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

const REF_FORBIDDEN_CHARACTERS = /[\p{Cc}\s~^:?*[\\]/u;
const REF_FORBIDDEN_SEQUENCES = /(^[-/.]|\/\.|\.\.|\/\/|@\{|[/.]$|\.lock$|\.lock\/)/;

/**
 * Why `name` is not a valid git branch name (`is_valid_git_ref_name` in db/schema.sql, after
 * `git check-ref-format`), or null when it is valid.
 */
export function gitRefNameProblem(name: string): string | null {
  const length = charLength(name);
  if (length < 1 || length > 255) return 'must be 1 to 255 characters';
  if (REF_FORBIDDEN_CHARACTERS.test(name))
    return 'must not contain spaces, control characters or any of ~ ^ : ? * [ \\';
  if (REF_FORBIDDEN_SEQUENCES.test(name)) {
    return 'must not start with "-", "/" or ".", contain "..", "//", "/." or "@{", end with "/" or ".", or end a component with ".lock"';
  }
  if (name === '@') return 'must not be "@"';
  return null;
}

export function isValidGitRefName(name: string): boolean {
  return gitRefNameProblem(name) === null;
}

export const gitRefNameSchema = z.string().superRefine((name, context) => {
  const problem = gitRefNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: `is not a valid branch name: ${problem}` });
});

/** A git object id: lowercase hex, 40 (SHA-1) or 64 (SHA-256) characters. */
export const commitShaSchema = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a lowercase hex git object id of 40 or 64 characters');

/** A positive bigint id that JavaScript holds exactly. */
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Text whose length is checked the way PostgreSQL counts it. */
export function boundedText(min: number, max: number) {
  return z.string().refine(
    (value) => {
      const length = charLength(value);
      return length >= min && length <= max;
    },
    min > 0 ? `must be ${min} to ${max} characters` : `must be at most ${max} characters`,
  );
}
