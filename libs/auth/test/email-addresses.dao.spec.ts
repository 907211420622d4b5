import { ConflictError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { insertUser, unique, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { EmailAddressesDao, UsersDao } from '../src';
import { authDataSource, countRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let emails: EmailAddressesDao;

beforeAll(async () => {
  dataSource = await authDataSource(database());
  admin = await database().connect();
  emails = new EmailAddressesDao(dataSource);
});
afterAll(() => dataSource.destroy());

const newUserId = async () => (await insertUser(admin)).id as number;
const address = () => `${unique('mail')}@example.com`;

describe('EmailAddressesDao', () => {
  it('adds addresses (unverified, not primary) and lists them primary first', async () => {
    const userId = await newUserId();
    const first = await emails.add(userId, { email: address() });
    const second = await emails.add(userId, { email: address(), isVerified: true });
    expect(first).toMatchObject({ userId, isPrimary: false, isVerified: false });
    await emails.setPrimary(userId, second.id);
    expect((await emails.list(userId)).map((email) => [email.id, email.isPrimary])).toEqual([
      [second.id, true],
      [first.id, false],
    ]);
  });

  it('refuses an address any user already has, in any letter case', async () => {
    const email = address();
    await emails.add(await newUserId(), { email });
    const clash = emails.add(await newUserId(), { email: email.toUpperCase() });
    await expect(clash).rejects.toBeInstanceOf(ConflictError);
    await expect(clash).rejects.toMatchObject({ details: { constraint: 'email_addresses_lower_email_key' } });
  });

  it('refuses a malformed address before SQL, and an unknown user with the foreign key named', async () => {
    const userId = await newUserId();
    const before = await countRows(admin, 'email_addresses');
    await expect(emails.add(userId, { email: 'not-an-address' })).rejects.toBeInstanceOf(ValidationError);
    await expect(emails.add(userId, { email: `${'x'.repeat(250)}@example.com` })).rejects.toThrow(/at most 254/);
    expect(await countRows(admin, 'email_addresses')).toBe(before);
    await expect(emails.add(987_654_321, { email: address() })).rejects.toMatchObject({
      constructor: MissingReferenceError,
      details: { constraint: 'email_addresses_user_id_fkey' },
    });
  });

  it("verifies only the owner's address", async () => {
    const userId = await newUserId();
    const email = await emails.add(userId, { email: address() });
    await expect(emails.verify(await newUserId(), email.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await emails.verify(userId, email.id)).isVerified).toBe(true);
  });

  it('keeps one primary per user, mirrored into users.email', async () => {
    const userId = await newUserId();
    const first = await emails.add(userId, { email: address(), isVerified: true });
    const second = await emails.add(userId, { email: address(), isVerified: true });
    await emails.setPrimary(userId, first.id);
    await emails.setPrimary(userId, second.id);
    const { rows } = await admin.query('SELECT id FROM email_addresses WHERE user_id = $1 AND is_primary', [userId]);
    expect(rows.map((row) => Number(row.id))).toEqual([second.id]);
    expect((await new UsersDao(dataSource).getById(userId))?.email).toBe(second.email);
  });

  it('keeps one primary under concurrent changes', async () => {
    const userId = await newUserId();
    const candidates = await Promise.all(
      [1, 2, 3, 4].map(() => emails.add(userId, { email: address(), isVerified: true })),
    );
    await Promise.all(candidates.map((candidate) => emails.setPrimary(userId, candidate.id)));
    const { rows } = await admin.query(
      'SELECT count(*)::int AS n FROM email_addresses WHERE user_id = $1 AND is_primary',
      [userId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('refuses an unverified address as primary', async () => {
    const userId = await newUserId();
    const email = await emails.add(userId, { email: address() });
    await expect(emails.setPrimary(userId, email.id)).rejects.toMatchObject({
      constructor: ConflictError,
      details: { field: 'isVerified' },
    });
  });

  it('removes a non-primary address but not the primary one', async () => {
    const userId = await newUserId();
    const primary = await emails.add(userId, { email: address(), isVerified: true });
    const other = await emails.add(userId, { email: address() });
    await emails.setPrimary(userId, primary.id);
    await expect(emails.remove(userId, primary.id)).rejects.toBeInstanceOf(ConflictError);
    await emails.remove(userId, other.id);
    expect((await emails.list(userId)).map((email) => email.id)).toEqual([primary.id]);
    await expect(emails.remove(userId, other.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
