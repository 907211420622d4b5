import { z } from 'zod';
import type { Database } from '../database';

export const findUserInput = {
  username: z
    .string()
    .min(1)
    .max(255)
    .describe(
      'A username, or its beginning: the exact match (ignoring case) comes first, then names that start with it',
    ),
};

const timestamp = z.string().nullable();

export const findUserOutput = {
  query: z.string(),
  users: z
    .array(
      z.object({
        match: z.enum(['exact', 'prefix']),
        id: z.string().describe('bigint, as a string'),
        username: z.string(),
        display_name: z.string().nullable(),
        email: z.string().nullable(),
        wallet_address: z.string().nullable(),
        is_active: z.boolean(),
        is_admin: z.boolean(),
        prohibit_login: z.boolean(),
        last_login_at: timestamp,
        created_at: z.string(),
        updated_at: z.string(),
        emails: z.array(z.object({ email: z.string(), is_primary: z.boolean(), is_verified: z.boolean() })),
        access_tokens: z
          .array(
            z.object({
              name: z.string(),
              token_last_eight: z.string(),
              scopes: z.array(z.string()),
              expires_at: z.string(),
              last_used_at: timestamp,
            }),
          )
          .describe('Newest first, at most 20; the token hashes are never shown'),
        ssh_keys: z
          .array(z.object({ name: z.string(), fingerprint: z.string(), key_type: z.string(), last_used_at: timestamp }))
          .describe('At most 20'),
        repository_count: z.number().int(),
        active_session_count: z.number().int().describe('Unexpired cookie sessions (their keys are never shown)'),
      }),
    )
    .describe('At most 10 users'),
  count: z.number().int(),
};

type FindUserOutput = z.infer<z.ZodObject<typeof findUserOutput>>;

/** `text` as a LIKE pattern that matches it literally: \, % and _ escaped (ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

const MAX_USERS = 10;

/**
 * Every column is named: nothing secret (session keys, token hashes, nonces) can appear, even if a
 * future migration adds such a column to one of these tables.
 */
const FIND_USERS_SQL = `
  SELECT CASE WHEN lower(u.username) = lower($1) THEN 'exact' ELSE 'prefix' END AS match,
         u.id::text AS id, u.username, u.display_name, u.email, u.wallet_address,
         u.is_active, u.is_admin, u.prohibit_login,
         to_char(u.last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_login_at,
         to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
         to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at,
         coalesce((SELECT json_agg(json_build_object('email', e.email, 'is_primary', e.is_primary,
                                                     'is_verified', e.is_verified) ORDER BY e.is_primary DESC, e.email)
                     FROM email_addresses e WHERE e.user_id = u.id), '[]') AS emails,
         coalesce((SELECT json_agg(t.*) FROM (
                     SELECT a.name, a.token_last_eight, a.scopes,
                            to_char(a.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS expires_at,
                            to_char(a.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_used_at
                       FROM access_tokens a WHERE a.user_id = u.id ORDER BY a.created_at DESC, a.id DESC LIMIT 20) t), '[]')
           AS access_tokens,
         coalesce((SELECT json_agg(k.*) FROM (
                     SELECT s.name, s.fingerprint, s.key_type,
                            to_char(s.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_used_at
                       FROM ssh_keys s WHERE s.user_id = u.id ORDER BY s.id LIMIT 20) k), '[]') AS ssh_keys,
         (SELECT count(*)::int FROM repositories r WHERE r.user_id = u.id) AS repository_count,
         (SELECT count(*)::int FROM auth_sessions a WHERE a.user_id = u.id AND a.expires_at > now()) AS active_session_count
    FROM users u
   WHERE lower(u.username) = lower($1) OR lower(u.username) LIKE lower($2) ESCAPE '\\'
   ORDER BY lower(u.username) = lower($1) DESC, lower(u.username), u.id
   LIMIT ${MAX_USERS}`;

export class FindUserTool {
  constructor(private readonly database: Database) {}

  run({ username, signal }: { username: string; signal?: AbortSignal }): Promise<FindUserOutput> {
    return this.database.withReadOnly({ signal }, async ({ client }) => {
      const { rows } = await client.query<FindUserOutput['users'][number]>(FIND_USERS_SQL, [
        username,
        `${escapeLike(username)}%`,
      ]);
      return { query: username, users: rows, count: rows.length };
    });
  }
}
