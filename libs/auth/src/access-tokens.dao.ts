import { inTransaction, NotFoundError, parseInput, type Tx, hydrate, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  ACCESS_TOKEN_PATTERN,
  generateAccessToken,
  hashAccessToken,
  isAccessTokenScope,
  MAX_ACCESS_TOKEN_LIFETIME_MS,
} from './access-tokens';
import { AccessToken } from './entities/access-token.entity';
import type { User } from './entities/user.entity';
import { nameSchema, parseId } from './input-schemas';
import { digestsEqual } from './secrets';

const createTokenSchema = z.strictObject({
  name: nameSchema,
  scopes: z
    .array(
      z.string().superRefine((scope, ctx) => {
        if (!isAccessTokenScope(scope)) ctx.addIssue({ code: 'custom', message: `unknown scope "${scope}"` });
      }),
    )
    .min(1, 'must hold at least one scope')
    .transform((scopes) => [...new Set(scopes)]),
  expiresAt: z
    .date({ error: 'is required: tokens always expire' })
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .refine((date) => date.getTime() <= Date.now() + MAX_ACCESS_TOKEN_LIFETIME_MS, 'must be at most 365 days away'),
});
export type CreateAccessTokenData = z.input<typeof createTokenSchema>;

export interface CreatedAccessToken {
  accessToken: AccessToken;
  /** The token itself: returned here once and never again (only its hash is stored). */
  plaintext: string;
}

/** How often at most `last_used_at` is written for one token. */
const LAST_USED_RESOLUTION = '1 minute';

/** Personal access tokens: created once, authenticated by hash, listed and revoked by their owner. */
export class AccessTokensDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Creates a token for the user. Refused before SQL: an empty name, no scopes or an unknown one
   * (named in the error), a missing, past or more than a year away expiry.
   */
  async create(userId: number, data: CreateAccessTokenData, tx?: Tx): Promise<CreatedAccessToken> {
    const owner = parseId(userId, 'userId');
    const input = parseInput(createTokenSchema, data);
    const generated = generateAccessToken();
    return inTransaction(tx ?? this.db, async (manager) => {
      const { raw } = await manager
        .createQueryBuilder()
        .insert()
        .into(AccessToken)
        .values({
          userId: owner,
          name: input.name,
          tokenHash: generated.tokenHash,
          tokenLastEight: generated.tokenLastEight,
          scopes: input.scopes,
          expiresAt: input.expiresAt,
        })
        .returning('*')
        .execute();
      return { accessToken: hydrate(manager, AccessToken, raw[0]), plaintext: generated.plaintext };
    });
  }

  /**
   * The token and its user when `plaintext` is a live token of an active user allowed to sign in;
   * otherwise null (unknown, malformed, expired, revoked, user deactivated or barred). Records the
   * use, writing `last_used_at` at most once a minute per token.
   */
  async authenticate(plaintext: string, tx?: Tx): Promise<(AccessToken & { user: User }) | null> {
    const candidate = parseInput(z.string(), plaintext);
    if (!ACCESS_TOKEN_PATTERN.test(candidate)) return null;
    const tokenHash = hashAccessToken(candidate);
    return inTransaction(tx ?? this.db, async (manager) => {
      const token = await manager
        .createQueryBuilder(AccessToken, 'token')
        .addSelect('token.tokenHash')
        .innerJoinAndSelect('token.user', 'user')
        .where('token.tokenHash = :tokenHash', { tokenHash })
        .andWhere('token.expiresAt > now()')
        .andWhere('user.isActive AND NOT user.prohibitLogin')
        .getOne();
      // The index lookup already matched the hash; comparing again in constant time keeps the
      // accept/refuse decision itself free of timing differences.
      if (!token?.user || !digestsEqual(token.tokenHash ?? '', tokenHash)) return null;
      delete token.tokenHash;
      const touched = await queryRows<{ last_used_at: Date }>(
        manager,
        `UPDATE access_tokens SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - $2::interval)
          RETURNING last_used_at`,
        [token.id, LAST_USED_RESOLUTION],
      );
      if (touched.length > 0) token.lastUsedAt = touched[0].last_used_at;
      return token as AccessToken & { user: User };
    });
  }

  /** The user's tokens (without hashes), newest first, expired ones included. */
  async list(userId: number, tx?: Tx): Promise<AccessToken[]> {
    const owner = parseId(userId, 'userId');
    return (tx ?? this.db.manager).find(AccessToken, { where: { userId: owner }, order: { id: 'DESC' } });
  }

  /** Revokes (deletes) the user's token; NotFoundError when the user has no such token. */
  async revoke(userId: number, tokenId: number, tx?: Tx): Promise<void> {
    const owner = parseId(userId, 'userId');
    const id = parseId(tokenId, 'tokenId');
    await inTransaction(tx ?? this.db, async (manager) => {
      const { affected } = await manager.delete(AccessToken, { id, userId: owner });
      if (!affected) throw new NotFoundError(`user ${owner} has no access token ${id}`, { field: 'id' });
    });
  }
}
