import { AccessToken } from './entities/access-token.entity';
import { AuthSession } from './entities/auth-session.entity';
import { EmailAddress } from './entities/email-address.entity';
import { RateLimit } from './entities/rate-limit.entity';
import { SiweNonce } from './entities/siwe-nonce.entity';
import { SshKey } from './entities/ssh-key.entity';
import { User } from './entities/user.entity';

export { AccessToken, AuthSession, EmailAddress, RateLimit, SiweNonce, SshKey, User };

/** Every entity of the auth domain; each DataSource is built with all four domains' lists. */
export const AUTH_ENTITIES = [User, EmailAddress, AuthSession, AccessToken, SiweNonce, SshKey, RateLimit];

export {
  UsersDao,
  type CreateUserData,
  type UpdateUserData,
  type UserDeletion,
  type HandOverDeletionOutcome,
} from './users.dao';
export { EmailAddressesDao, type AddEmailAddressData } from './email-addresses.dao';
export { AccessTokensDao, type CreateAccessTokenData, type CreatedAccessToken } from './access-tokens.dao';
export {
  AuthSessionsDao,
  DEFAULT_AUTH_SESSION_LIFETIMES,
  type AuthSessionLifetimes,
  type CreateAuthSessionData,
  type CreatedAuthSession,
} from './auth-sessions.dao';
export {
  SiweNoncesDao,
  DEFAULT_SIWE_NONCE_TTL_SECONDS,
  type IssueSiweNonceData,
  type IssuedSiweNonce,
} from './siwe-nonces.dao';
export { SshKeysDao, type AddSshKeyData } from './ssh-keys.dao';
export { RateLimitsDao, type RateLimitHit } from './rate-limits.dao';

export {
  USERNAME_PATTERN,
  USERNAME_PATTERN_SOURCE,
  USERNAME_MAX_LENGTH,
  RESERVED_USERNAMES,
  GHOST_USERNAME,
  isValidUsername,
  isReservedUsername,
} from './usernames';
export {
  ACCESS_TOKEN_PREFIX,
  ACCESS_TOKEN_PATTERN,
  ACCESS_TOKEN_SCOPES,
  MAX_ACCESS_TOKEN_LIFETIME_MS,
  generateAccessToken,
  hashAccessToken,
  hasScope,
  isAccessTokenScope,
  type AccessTokenScope,
  type GeneratedAccessToken,
} from './access-tokens';
export {
  SSH_KEY_TYPES,
  MIN_RSA_MODULUS_BITS,
  parseSshPublicKey,
  sshFingerprint,
  isSshKeyType,
  type SshKeyType,
  type SshPublicKey,
} from './ssh-public-key';
