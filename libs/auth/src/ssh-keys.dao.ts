import { inTransaction, NotFoundError, parseInput, type Tx, hydrate, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { SshKey } from './entities/ssh-key.entity';
import { nameSchema, parseId } from './input-schemas';
import { parseSshPublicKey } from './ssh-public-key';

const addSshKeySchema = z.strictObject({
  name: nameSchema,
  publicKey: z.string(),
});
export type AddSshKeyData = z.input<typeof addSshKeySchema>;

const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** SSH public keys: one key (by fingerprint) belongs to one user, across all users. */
export class SshKeysDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Adds a key after checking its wire format (see parseSshPublicKey); stores the normalised line,
   * its type and its `ssh-keygen -l` fingerprint. ConflictError when any user already has the key
   * (ssh_keys_fingerprint_key) or this user has a key of that name (ssh_keys_user_id_name_key).
   */
  async add(userId: number, data: AddSshKeyData, tx?: Tx): Promise<SshKey> {
    const owner = parseId(userId, 'userId');
    const input = parseInput(addSshKeySchema, data);
    const key = parseSshPublicKey(input.publicKey);
    return inTransaction(tx ?? this.db, async (manager) => {
      const { raw } = await manager
        .createQueryBuilder()
        .insert()
        .into(SshKey)
        .values({
          userId: owner,
          name: input.name,
          fingerprint: key.fingerprint,
          publicKey: key.normalized,
          keyType: key.keyType,
        })
        .returning('*')
        .execute();
      return hydrate(manager, SshKey, raw[0]);
    });
  }

  async list(userId: number, tx?: Tx): Promise<SshKey[]> {
    const owner = parseId(userId, 'userId');
    return (tx ?? this.db.manager).find(SshKey, { where: { userId: owner }, order: { id: 'ASC' } });
  }

  /** The key with this `SHA256:…` fingerprint (what an SSH server offers), or null. */
  async getByFingerprint(fingerprint: string, tx?: Tx): Promise<SshKey | null> {
    const candidate = parseInput(z.string(), fingerprint);
    if (!FINGERPRINT_PATTERN.test(candidate)) return null;
    return (tx ?? this.db.manager).findOneBy(SshKey, { fingerprint: candidate });
  }

  /** Records that the key authenticated; writes `last_used_at` at most once a minute per key. */
  async recordUse(keyId: number, tx?: Tx): Promise<void> {
    const id = parseId(keyId, 'keyId');
    await inTransaction(tx ?? this.db, (manager) =>
      queryRows(
        manager,
        `UPDATE ssh_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [id],
      ),
    );
  }

  /** Removes the user's key; NotFoundError when the user has no such key. */
  async remove(userId: number, keyId: number, tx?: Tx): Promise<void> {
    const owner = parseId(userId, 'userId');
    const id = parseId(keyId, 'keyId');
    await inTransaction(tx ?? this.db, async (manager) => {
      const { affected } = await manager.delete(SshKey, { id, userId: owner });
      if (!affected) throw new NotFoundError(`user ${owner} has no ssh key ${id}`, { field: 'id' });
    });
  }
}
