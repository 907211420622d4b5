import type { CreateAccessTokenRpc, CreateUserRpc, RpcReplyOf } from '@plue/contracts';
import type { AccessToken, User } from '@plue/auth';

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
