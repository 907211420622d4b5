import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { EmailAddress } from './entities/email-address.entity';
import { User } from './entities/user.entity';
import { emailSchema, parseId } from './input-schemas';

const addEmailSchema = z.strictObject({
  email: emailSchema,
  isVerified: z.boolean().optional(),
});
export type AddEmailAddressData = z.input<typeof addEmailSchema>;

/**
 * A user's e-mail addresses. Each address belongs to one user (any letter case); at most one per
 * user is primary, only a verified one can be, and the primary is mirrored into users.email.
 */
export class EmailAddressesDao {
  constructor(private readonly db: DataSource) {}

  /** Adds a non-primary address; ConflictError when any user already has it (in any case). */
  async add(userId: number, data: AddEmailAddressData, tx?: Tx): Promise<EmailAddress> {
    const owner = parseId(userId, 'userId');
    const input = parseInput(addEmailSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const { raw } = await manager
        .createQueryBuilder()
        .insert()
        .into(EmailAddress)
        .values({ userId: owner, email: input.email, isVerified: input.isVerified ?? false })
        .returning('*')
        .execute();
      return hydrate(manager, EmailAddress, raw[0]);
    });
  }

  /** The user's addresses, primary first, then in the order they were added. */
  async list(userId: number, tx?: Tx): Promise<EmailAddress[]> {
    const owner = parseId(userId, 'userId');
    return (tx ?? this.db.manager).find(EmailAddress, {
      where: { userId: owner },
      order: { isPrimary: 'DESC', id: 'ASC' },
    });
  }

  /** Marks the user's address verified (the service has checked the confirmation link). */
  async verify(userId: number, emailAddressId: number, tx?: Tx): Promise<EmailAddress> {
    const owner = parseId(userId, 'userId');
    const id = parseId(emailAddressId, 'emailAddressId');
    return inTransaction(tx ?? this.db, async (manager) => {
      const { raw } = await manager
        .createQueryBuilder()
        .update(EmailAddress)
        .set({ isVerified: true })
        .where('id = :id AND user_id = :owner', { id, owner })
        .returning('*')
        .execute();
      if (raw.length === 0) throw notFound(owner, id);
      return hydrate(manager, EmailAddress, raw[0]);
    });
  }

  /**
   * Makes the user's verified address the primary one (the previous primary stops being primary)
   * and copies it into users.email. An unverified address is refused with ConflictError.
   */
  async setPrimary(userId: number, emailAddressId: number, tx?: Tx): Promise<EmailAddress> {
    const owner = parseId(userId, 'userId');
    const id = parseId(emailAddressId, 'emailAddressId');
    return inTransaction(tx ?? this.db, async (manager) => {
      // Serialises primary changes per user: without it two concurrent calls could each clear the
      // old primary and then collide on the one-primary index.
      await manager
        .createQueryBuilder(User, 'user')
        .where('user.id = :owner', { owner })
        .setLock('for_no_key_update')
        .getOne();
      const address = await manager.findOneBy(EmailAddress, { id, userId: owner });
      if (!address) throw notFound(owner, id);
      if (!address.isVerified) {
        throw new ConflictError(`e-mail address ${id} is not verified, so it cannot be primary`, {
          field: 'isVerified',
        });
      }
      await manager.query(
        'UPDATE email_addresses SET is_primary = false WHERE user_id = $1 AND is_primary AND id <> $2',
        [owner, id],
      );
      const { raw } = await manager
        .createQueryBuilder()
        .update(EmailAddress)
        .set({ isPrimary: true })
        .where('id = :id', { id })
        .returning('*')
        .execute();
      await manager.query('UPDATE users SET email = $2 WHERE id = $1', [owner, address.email]);
      return hydrate(manager, EmailAddress, raw[0]);
    });
  }

  /** Removes a non-primary address; the primary one is refused (ConflictError): choose another first. */
  async remove(userId: number, emailAddressId: number, tx?: Tx): Promise<void> {
    const owner = parseId(userId, 'userId');
    const id = parseId(emailAddressId, 'emailAddressId');
    await inTransaction(tx ?? this.db, async (manager) => {
      const address = await manager.findOne(EmailAddress, {
        where: { id, userId: owner },
        lock: { mode: 'pessimistic_write' },
      });
      if (!address) throw notFound(owner, id);
      if (address.isPrimary) {
        throw new ConflictError(`e-mail address ${id} is the primary address; make another one primary first`, {
          field: 'isPrimary',
        });
      }
      await manager.delete(EmailAddress, { id });
    });
  }
}

function notFound(userId: number, id: number): NotFoundError {
  return new NotFoundError(`user ${userId} has no e-mail address ${id}`, { field: 'id' });
}
