import { inTransaction, parseInput, type Tx, hydrate, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { SiweNonce } from './entities/siwe-nonce.entity';
import { walletAddressSchema } from './input-schemas';
import { generateSecret, SECRET_PATTERN, sha256Hex } from './secrets';

export const DEFAULT_SIWE_NONCE_TTL_SECONDS = 5 * 60;
const MAX_SIWE_NONCE_TTL_SECONDS = 60 * 60;

const issueNonceSchema = z.strictObject({
  walletAddress: walletAddressSchema.optional(),
  ttlSeconds: z.number().int().min(1).max(MAX_SIWE_NONCE_TTL_SECONDS).optional(),
});
export type IssueSiweNonceData = z.input<typeof issueNonceSchema>;

export interface IssuedSiweNonce {
  /** The nonce for the EIP-4361 message (43 letters and digits); the database keeps only its SHA-256. */
  nonce: string;
  expiresAt: Date;
}

/**
 * Sign-In With Ethereum nonces: single use, short-lived, stored hashed. `consume` checks and marks
 * a nonce used in one UPDATE, so two requests replaying the same signed message cannot both pass.
 */
export class SiweNoncesDao {
  constructor(private readonly db: DataSource) {}

  /** Issues a nonce, optionally bound to the wallet that asked for it. */
  async issue(data: IssueSiweNonceData = {}, tx?: Tx): Promise<IssuedSiweNonce> {
    const input = parseInput(issueNonceSchema, data);
    const nonce = generateSecret();
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(
        manager,
        `INSERT INTO siwe_nonces (nonce, wallet_address, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))
         RETURNING *`,
        [sha256Hex(nonce), input.walletAddress ?? null, input.ttlSeconds ?? DEFAULT_SIWE_NONCE_TTL_SECONDS],
      );
      return { nonce, expiresAt: hydrate(manager, SiweNonce, rows[0]).expiresAt };
    });
  }

  /**
   * Uses up the nonce if it is unused, unexpired and (when it was issued for a wallet) presented by
   * that wallet: returns the consumed row, or null for every other case. Of concurrent callers with
   * the same nonce exactly one gets the row.
   */
  async consume(nonce: string, walletAddress?: string, tx?: Tx): Promise<SiweNonce | null> {
    const candidate = parseInput(z.string(), nonce);
    const wallet = parseInput(walletAddressSchema.optional(), walletAddress);
    if (!SECRET_PATTERN.test(candidate)) return null;
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(
        manager,
        `UPDATE siwe_nonces SET used_at = now()
          WHERE nonce = $1 AND used_at IS NULL AND expires_at > now()
            AND (wallet_address IS NULL OR wallet_address = $2)
          RETURNING *`,
        [sha256Hex(candidate), wallet ?? null],
      );
      return rows.length > 0 ? hydrate(manager, SiweNonce, rows[0]) : null;
    });
  }

  /** Deletes expired nonces, used or not (housekeeping); returns how many. */
  async deleteExpired(tx?: Tx): Promise<number> {
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(manager, 'DELETE FROM siwe_nonces WHERE expires_at <= now() RETURNING id', []);
      return rows.length;
    });
  }
}
