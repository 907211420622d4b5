import { z } from 'zod';
import { charLength } from './git-names';

export const REPOSITORY_NAME_MAX_LENGTH = 100;

/**
 * Why `name` is not a valid repository name (`repositories_name_check`: like GitHub, 1-100
 * letters, digits, ".", "_" and "-"; not "." or ".."; no ".git" suffix in any case), or null.
 */
export function repositoryNameProblem(name: string): string | null {
  if (charLength(name) < 1 || charLength(name) > REPOSITORY_NAME_MAX_LENGTH) {
    return `must be 1 to ${REPOSITORY_NAME_MAX_LENGTH} characters`;
  }
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return 'may contain only letters, digits, ".", "_" and "-"';
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  if (/\.git$/i.test(name)) return 'must not end with ".git"';
  return null;
}

export const repositoryNameSchema = z.string().superRefine((name, context) => {
  const problem = repositoryNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** Topics (`repositories_topics_check`): at most 20, each 1-50 of lowercase letters, digits and "-". */
export const topicsSchema = z
  .array(
    z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,49}$/,
        'must be 1-50 lowercase letters, digits or "-", starting with a letter or digit',
      ),
  )
  .max(20, 'at most 20 topics')
  .refine((topics) => new Set(topics).size === topics.length, 'must not repeat a topic');

/**
 * The name a repository gets when it moves to an owner who already has one of that name
 * (case-insensitively): `<name>-<n>` with the smallest n >= 1 that is free, the base shortened
 * so the result stays within 100 characters. `-<n>` never ends in ".git" and never yields "." or
 * "..", so the result is a valid name whenever `name` is.
 */
export function nameWithoutClash(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name.toLowerCase())) return name;
  for (let n = 1; ; n += 1) {
    const suffix = `-${n}`;
    const candidate = `${name.slice(0, REPOSITORY_NAME_MAX_LENGTH - suffix.length)}${suffix}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
