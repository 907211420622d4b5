import { z } from 'zod';
import { id, timestamp } from '../event-payload-fields';
import { defineRpc } from './rpc-contract';

// Requests are strict: an unknown key is a caller's mistake worth reporting, not something to drop.
// Replies never carry a hash or a secret; the one exception is the plaintext of a new access token,
// in the reply of `access_token.create` and nowhere else, ever again.
// The auth-service's DAOs apply the finer rules (username pattern and reserved names, known scopes,
// expiry at most a year away) before any SQL, answering `validation_failed` naming the field.

/**
 * Every scope an access token can hold (the `access_tokens_scopes_check` constraint; `@plue/auth`
 * `ACCESS_TOKEN_SCOPES`, which the auth-service tests compare with this list).
 */
export const ACCESS_TOKEN_SCOPE_NAMES = [
  'repo:read',
  'repo:write',
  'issue:read',
  'issue:write',
  'user:read',
  'user:write',
  'admin',
  'workflow:read',
  'workflow:write',
  'agent:read',
  'agent:write',
] as const;

const username = () => z.string().min(1).max(39);
const walletAddress = () => z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be 0x followed by 40 hexadecimal digits');
const scope = () => z.enum(ACCESS_TOKEN_SCOPE_NAMES);

const userReply = z.object({
  id: id(),
  username: z.string(),
  walletAddress: z.string().nullable(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  bio: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  isActive: z.boolean(),
  isAdmin: z.boolean(),
  prohibitLogin: z.boolean(),
  lastLoginAt: timestamp().nullable(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Creates a user; the username is unique in any case, reserved names (`ghost`, `admin`, …) are refused. */
export const CreateUserRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.create',
  request: z
    .object({
      username: username(),
      walletAddress: walletAddress().optional(),
      email: z.string().min(3).max(254).nullable().optional(),
      displayName: z.string().max(255).nullable().optional(),
      bio: z.string().max(1024).nullable().optional(),
      avatarUrl: z.string().max(2048).nullable().optional(),
      isAdmin: z.boolean().optional(),
    })
    .strict(),
  reply: userReply,
  errors: ['validation_failed', 'conflict', 'invalid_value'],
});

/** A user by id; `not_found` when there is none. */
export const GetUserRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.get',
  request: z.object({ userId: id() }).strict(),
  reply: userReply,
  errors: ['validation_failed', 'not_found'],
});

/** A user by username, in any letter case; `not_found` when there is none. */
export const GetUserByUsernameRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.get_by_username',
  request: z.object({ username: username() }).strict(),
  reply: userReply,
  errors: ['validation_failed', 'not_found'],
});

/**
 * Deletes a user (DESIGN.md section 4, flow 6). In one transaction the account is deactivated, barred
 * from signing in, its sessions, access tokens and SSH keys are removed, the `ghost` account is
 * created if missing, and `plue.auth.user.deleted` is emitted. git and collaboration then hand the
 * user's content to the ghost, and auth removes the row (asynchronously: `user.get` answers
 * `not_found` once it is gone). Asking again for a user still being deleted repeats the hand-over.
 * `conflict` for the ghost account itself.
 */
export const DeleteUserRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.delete',
  request: z.object({ userId: id() }).strict(),
  reply: z.object({ userId: id(), ghostUserId: id(), status: z.literal('deleting') }),
  errors: ['validation_failed', 'not_found', 'conflict'],
});

/** An access token as it may be shown: never its hash, only the last eight characters. */
const accessTokenReply = z.object({
  id: id(),
  userId: id(),
  name: z.string(),
  tokenLastEight: z.string(),
  scopes: z.array(z.string()),
  expiresAt: timestamp(),
  lastUsedAt: timestamp().nullable(),
  createdAt: timestamp(),
});

/**
 * Creates a personal access token. The reply carries the token itself (`plaintext`, `plue_pat_…`)
 * this once: only its SHA-256 is stored, so it can never be shown again.
 */
export const CreateAccessTokenRpc = defineRpc({
  pattern: 'plue.rpc.auth.access_token.create',
  request: z
    .object({
      userId: id(),
      name: z.string().min(1).max(255),
      scopes: z.array(scope()).min(1).max(ACCESS_TOKEN_SCOPE_NAMES.length),
      expiresAt: timestamp(),
    })
    .strict(),
  reply: z.object({ accessToken: accessTokenReply, plaintext: z.string() }),
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

/**
 * Who a token belongs to and what it may do. `unauthenticated` (the same answer whatever the reason)
 * when it is malformed, unknown, expired or revoked, or its user is deactivated or barred from login.
 */
export const AuthenticateAccessTokenRpc = defineRpc({
  pattern: 'plue.rpc.auth.access_token.authenticate',
  request: z.object({ token: z.string().min(1).max(256) }).strict(),
  reply: z.object({
    userId: id(),
    username: z.string(),
    tokenId: id(),
    scopes: z.array(z.string()),
    expiresAt: timestamp(),
  }),
  errors: ['validation_failed', 'unauthenticated'],
});

/** A user's tokens, newest first, expired ones included; never a hash or a plaintext. */
export const ListAccessTokensRpc = defineRpc({
  pattern: 'plue.rpc.auth.access_token.list',
  request: z.object({ userId: id() }).strict(),
  reply: z.object({ items: z.array(accessTokenReply) }),
  errors: ['validation_failed'],
});

/** Revokes (deletes) one of the user's tokens; it stops authenticating at once. */
export const RevokeAccessTokenRpc = defineRpc({
  pattern: 'plue.rpc.auth.access_token.revoke',
  request: z.object({ userId: id(), tokenId: id() }).strict(),
  reply: z.object({ revoked: z.literal(true), tokenId: id() }),
  errors: ['validation_failed', 'not_found'],
});

/**
 * Issues a single-use Sign-In With Ethereum nonce (43 letters and digits, an EIP-4361 nonce), bound
 * to `walletAddress` when given; it expires after `ttlSeconds` (1-3600, default 300).
 */
export const IssueSiweNonceRpc = defineRpc({
  pattern: 'plue.rpc.auth.siwe_nonce.issue',
  request: z
    .object({
      walletAddress: walletAddress().optional(),
      ttlSeconds: z.number().int().min(1).max(3600).optional(),
    })
    .strict(),
  reply: z.object({ nonce: z.string(), expiresAt: timestamp() }),
  errors: ['validation_failed'],
});

export const AUTH_RPC_CONTRACTS = [
  CreateUserRpc,
  GetUserRpc,
  GetUserByUsernameRpc,
  DeleteUserRpc,
  CreateAccessTokenRpc,
  AuthenticateAccessTokenRpc,
  ListAccessTokensRpc,
  RevokeAccessTokenRpc,
  IssueSiweNonceRpc,
] as const;
