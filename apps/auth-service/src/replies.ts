import type {
  AddEmailAddressRpc,
  AddSshKeyRpc,
  CreateAccessTokenRpc,
  CreateUserRpc,
  RefreshAuthSessionRpc,
  RpcReplyOf,
} from '@plue/contracts';
import type { AccessToken, AuthSession, EmailAddress, SshKey, User } from '@plue/auth';

// Entities become the contracts' reply shapes: explicit fields (a column added to an entity, a hash
// above all, never leaks by being there) and ISO-8601 times (JSON has no dates).

export function userReply(user: User): RpcReplyOf<typeof CreateUserRpc> {
  return {
    id: user.id,
    username: user.username,
    walletAddress: user.walletAddress,
    email: user.email,
    displayName: user.displayName,
    bio: user.bio,
    avatarUrl: user.avatarUrl,
    isActive: user.isActive,
    isAdmin: user.isAdmin,
    prohibitLogin: user.prohibitLogin,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/** A token as it may be shown again: its last eight characters, never its hash. */
export function accessTokenReply(token: AccessToken): RpcReplyOf<typeof CreateAccessTokenRpc>['accessToken'] {
  return {
    id: token.id,
    userId: token.userId,
    name: token.name,
    tokenLastEight: token.tokenLastEight,
    scopes: token.scopes,
    expiresAt: token.expiresAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
  };
}

export function sshKeyReply(key: SshKey): RpcReplyOf<typeof AddSshKeyRpc> {
  return {
    id: key.id,
    userId: key.userId,
    name: key.name,
    fingerprint: key.fingerprint,
    publicKey: key.publicKey,
    keyType: key.keyType,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
  };
}

export function emailAddressReply(address: EmailAddress): RpcReplyOf<typeof AddEmailAddressRpc> {
  return {
    id: address.id,
    userId: address.userId,
    email: address.email,
    isPrimary: address.isPrimary,
    isVerified: address.isVerified,
    createdAt: address.createdAt.toISOString(),
    updatedAt: address.updatedAt.toISOString(),
  };
}

/** A session as it may be shown: never its key (the hash of the cookie value). */
export function authSessionReply(session: AuthSession): RpcReplyOf<typeof RefreshAuthSessionRpc> {
  return {
    id: session.id,
    userId: session.userId,
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
  };
}
