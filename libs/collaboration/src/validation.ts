import { z } from 'zod';

// Input building blocks that mirror the schema's CHECK constraints, so bad input is refused before
// it reaches SQL (and the message names the field instead of a constraint).

/** A row id: a positive bigint that JavaScript holds exactly. */
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** PostgreSQL's char_length counts code points, JavaScript's length counts UTF-16 units. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

/** btrim(text) with no second argument trims spaces only. */
function isBlank(text: string): boolean {
  return /^ *$/.test(text);
}

/** Text of min..max code points; `nonBlank` mirrors `btrim(x) <> ''`. */
export function textSchema(min: number, max: number, { nonBlank = false } = {}) {
  return z
    .string()
    .refine((text) => codePointLength(text) >= min, `must be at least ${min} character(s)`)
    .refine((text) => codePointLength(text) <= max, `must be at most ${max} characters`)
    .refine((text) => !nonBlank || !isBlank(text), 'must not be blank');
}

/** Issue and pull request titles (issues_title_check). */
export const titleSchema = textSchema(1, 255, { nonBlank: true });
/** Issue bodies (issues_body_check). */
export const issueBodySchema = textSchema(0, 65536);
/** Comment and review comment bodies (comments_body_check, review_comments_body_check). */
export const commentBodySchema = textSchema(1, 65536, { nonBlank: true });

/** A git object id: lowercase hex SHA-1 (40) or SHA-256 (64). */
export const gitObjectIdSchema = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a lowercase hex SHA-1 or SHA-256');

/** Branch names as the schema's is_valid_git_ref_name() accepts them. */
export const gitRefNameSchema = z.string().refine((name) => {
  const length = codePointLength(name);
  return (
    length >= 1 &&
    length <= 255 &&
    !/[\p{Cc}\s~^:?*[\\]/u.test(name) &&
    !/(^[-/.]|\/\.|\.\.|\/\/|@\{|[/.]$|\.lock$|\.lock\/)/.test(name) &&
    name !== '@'
  );
}, 'must be a valid git branch name');

/** A user named by id or by username (resolved case-insensitively). */
export const userRefSchema = z.union([idSchema, z.string().min(1).max(39)]);
export type UserRef = z.infer<typeof userRefSchema>;
