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

// ---- users: profile, account state, lookup by wallet ----

/**
 * Changes profile fields (at least one; null clears an optional one). The e-mail is not among them:
 * it mirrors the primary verified address (`email_address.set_primary`); nor is `isAdmin`, a
 * privilege rather than a profile field.
 */
export const UpdateUserRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.update',
  request: z
    .object({
      userId: id(),
      username: username().optional(),
      walletAddress: walletAddress().nullable().optional(),
      displayName: z.string().max(255).nullable().optional(),
      bio: z.string().max(1024).nullable().optional(),
      avatarUrl: z.string().max(2048).nullable().optional(),
    })
    .strict()
    .refine(
      (request) => Object.entries(request).some(([key, value]) => key !== 'userId' && value !== undefined),
      'names no field to change',
    ),
  reply: userReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'invalid_value'],
});

/** Deactivates an account: its cookie sessions end, its tokens stop authenticating. */
export const DeactivateUserRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.deactivate',
  request: z.object({ userId: id() }).strict(),
  reply: userReply,
  errors: ['validation_failed', 'not_found'],
});

export const ReactivateUserRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.reactivate',
  request: z.object({ userId: id() }).strict(),
  reply: userReply,
  errors: ['validation_failed', 'not_found'],
});

/** Bars a user from signing in (their cookie sessions end), or allows it again. */
export const SetUserLoginProhibitedRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.set_login_prohibited',
  request: z.object({ userId: id(), prohibited: z.boolean() }).strict(),
  reply: userReply,
  errors: ['validation_failed', 'not_found'],
});

/** The user signing in with this wallet address (any letter case); `not_found` when none. */
export const GetUserByWalletAddressRpc = defineRpc({
  pattern: 'plue.rpc.auth.user.get_by_wallet_address',
  request: z.object({ walletAddress: walletAddress() }).strict(),
  reply: userReply,
  errors: ['validation_failed', 'not_found'],
});

// ---- SSH keys ----

const sshKeyReply = z.object({
  id: id(),
  userId: id(),
  name: z.string(),
  /** `SHA256:` + unpadded base64, as `ssh-keygen -l` prints it. */
  fingerprint: z.string(),
  publicKey: z.string(),
  keyType: z.string(),
  lastUsedAt: timestamp().nullable(),
  createdAt: timestamp(),
});

/**
 * Adds an OpenSSH public key line (`<type> <base64> [comment]`): the service checks the key data and
 * computes its fingerprint. A key belongs to one user only.
 */
export const AddSshKeyRpc = defineRpc({
  pattern: 'plue.rpc.auth.ssh_key.add',
  request: z
    .object({ userId: id(), name: z.string().min(1).max(255), publicKey: z.string().min(1).max(16384) })
    .strict(),
  reply: sshKeyReply,
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

export const ListSshKeysRpc = defineRpc({
  pattern: 'plue.rpc.auth.ssh_key.list',
  request: z.object({ userId: id() }).strict(),
  reply: z.object({ items: z.array(sshKeyReply) }),
  errors: ['validation_failed'],
});

export const RemoveSshKeyRpc = defineRpc({
  pattern: 'plue.rpc.auth.ssh_key.remove',
  request: z.object({ userId: id(), keyId: id() }).strict(),
  reply: z.object({ removed: z.literal(true), keyId: id() }),
  errors: ['validation_failed', 'not_found'],
});

/** The key an SSH client offered, by its `SHA256:…` fingerprint (for the git transport); `not_found` when none. */
export const GetSshKeyByFingerprintRpc = defineRpc({
  pattern: 'plue.rpc.auth.ssh_key.get_by_fingerprint',
  request: z.object({ fingerprint: z.string().min(1).max(100) }).strict(),
  reply: sshKeyReply,
  errors: ['validation_failed', 'not_found'],
});

// ---- e-mail addresses ----

const emailAddressReply = z.object({
  id: id(),
  userId: id(),
  email: z.string(),
  isPrimary: z.boolean(),
  isVerified: z.boolean(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Adds a non-primary address; unique across users in any letter case. */
export const AddEmailAddressRpc = defineRpc({
  pattern: 'plue.rpc.auth.email_address.add',
  request: z.object({ userId: id(), email: z.string().min(3).max(254), isVerified: z.boolean().optional() }).strict(),
  reply: emailAddressReply,
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

/** The user's addresses, primary first, then in the order they were added. */
export const ListEmailAddressesRpc = defineRpc({
  pattern: 'plue.rpc.auth.email_address.list',
  request: z.object({ userId: id() }).strict(),
  reply: z.object({ items: z.array(emailAddressReply) }),
  errors: ['validation_failed'],
});

/** Marks the user's address verified (the caller has checked the confirmation link). */
export const VerifyEmailAddressRpc = defineRpc({
  pattern: 'plue.rpc.auth.email_address.verify',
  request: z.object({ userId: id(), emailAddressId: id() }).strict(),
  reply: emailAddressReply,
  errors: ['validation_failed', 'not_found'],
});

/** Makes a verified address the primary one and the user's `email`; an unverified one is a `conflict`. */
export const SetPrimaryEmailAddressRpc = defineRpc({
  pattern: 'plue.rpc.auth.email_address.set_primary',
  request: z.object({ userId: id(), emailAddressId: id() }).strict(),
  reply: emailAddressReply,
  errors: ['validation_failed', 'not_found', 'conflict'],
});

/** Removes a non-primary address; the primary one is a `conflict` (make another one primary first). */
export const RemoveEmailAddressRpc = defineRpc({
  pattern: 'plue.rpc.auth.email_address.remove',
  request: z.object({ userId: id(), emailAddressId: id() }).strict(),
  reply: z.object({ removed: z.literal(true), emailAddressId: id() }),
  errors: ['validation_failed', 'not_found', 'conflict'],
});

// ---- cookie sessions ----

/** A session as it may be shown ("where you are signed in"): never its key or its hash. */
const authSessionReply = z.object({
  id: id(),
  userId: id(),
  expiresAt: timestamp(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: timestamp(),
  lastSeenAt: timestamp(),
});
const cookieValue = () => z.string().min(1).max(256);

/**
 * Signs a user in: records the login and creates a cookie session. The reply carries the cookie
 * value this once (only its SHA-256 is stored). A deactivated or barred user is `unauthenticated`.
 */
export const CreateAuthSessionRpc = defineRpc({
  pattern: 'plue.rpc.auth.auth_session.create',
  request: z
    .object({ userId: id(), userAgent: z.string().max(8192).optional(), ip: z.string().min(2).max(45).optional() })
    .strict(),
  reply: z.object({ session: authSessionReply, cookieValue: z.string() }),
  errors: ['validation_failed', 'not_found', 'unauthenticated', 'invalid_value'],
});

/**
 * Who a cookie belongs to. `unauthenticated` (the same answer whatever the reason) when it is
 * malformed, unknown or expired, or its user is deactivated or barred from login.
 */
export const AuthenticateAuthSessionRpc = defineRpc({
  pattern: 'plue.rpc.auth.auth_session.authenticate',
  request: z.object({ cookieValue: cookieValue() }).strict(),
  reply: z.object({ sessionId: id(), userId: id(), username: z.string(), expiresAt: timestamp() }),
  errors: ['validation_failed', 'unauthenticated'],
});

/**
 * Slides a live session's expiry (now + idle timeout, never past its maximum lifetime);
 * `unauthenticated` when the cookie names no live session or the session is at its maximum age.
 */
export const RefreshAuthSessionRpc = defineRpc({
  pattern: 'plue.rpc.auth.auth_session.refresh',
  request: z.object({ cookieValue: cookieValue() }).strict(),
  reply: authSessionReply,
  errors: ['validation_failed', 'unauthenticated'],
});

/** The user's live sessions, most recently seen first. */
export const ListAuthSessionsRpc = defineRpc({
  pattern: 'plue.rpc.auth.auth_session.list',
  request: z.object({ userId: id() }).strict(),
  reply: z.object({ items: z.array(authSessionReply) }),
  errors: ['validation_failed'],
});

/** Signs out the session holding this cookie; `revoked` is false when there was none. */
export const RevokeAuthSessionByCookieRpc = defineRpc({
  pattern: 'plue.rpc.auth.auth_session.revoke_by_cookie',
  request: z.object({ cookieValue: cookieValue() }).strict(),
  reply: z.object({ revoked: z.boolean() }),
  errors: ['validation_failed'],
});

/** Ends one of the user's sessions. */
export const RevokeAuthSessionRpc = defineRpc({
  pattern: 'plue.rpc.auth.auth_session.revoke',
  request: z.object({ userId: id(), sessionId: id() }).strict(),
  reply: z.object({ revoked: z.literal(true), sessionId: id() }),
  errors: ['validation_failed', 'not_found'],
});

/** Ends every session of the user except, optionally, the current one. */
export const RevokeAllAuthSessionsRpc = defineRpc({
  pattern: 'plue.rpc.auth.auth_session.revoke_all',
  request: z.object({ userId: id(), exceptSessionId: id().optional() }).strict(),
  reply: z.object({ revokedCount: z.number().int().min(0) }),
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
  UpdateUserRpc,
  DeactivateUserRpc,
  ReactivateUserRpc,
  SetUserLoginProhibitedRpc,
  GetUserByWalletAddressRpc,
  AddSshKeyRpc,
  ListSshKeysRpc,
  RemoveSshKeyRpc,
  GetSshKeyByFingerprintRpc,
  AddEmailAddressRpc,
  ListEmailAddressesRpc,
  VerifyEmailAddressRpc,
  SetPrimaryEmailAddressRpc,
  RemoveEmailAddressRpc,
  CreateAuthSessionRpc,
  AuthenticateAuthSessionRpc,
  RefreshAuthSessionRpc,
  ListAuthSessionsRpc,
  RevokeAuthSessionByCookieRpc,
  RevokeAuthSessionRpc,
  RevokeAllAuthSessionsRpc,
] as const;
