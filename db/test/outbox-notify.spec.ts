import type { Client, Notification } from 'pg';
import { useTestDatabase } from '@plue/testing';

// The outbox trigger wakes an idle relay and stays quiet while the relay is draining
// (db/migrations/0004_outbox_notify_when_idle.sql).

const database = useTestDatabase();
let producer: Client;
let listener: Client;
const received: Notification[] = [];

beforeAll(async () => {
  producer = await database().connect();
  listener = await database().connect();
  listener.on('notification', (notification) => received.push(notification));
  await listener.query('LISTEN git_outbox');
});

async function emit(): Promise<void> {
  await producer.query(
    "INSERT INTO git.outbox (aggregate_type, aggregate_id, subject, payload) VALUES ('repository', '1', 'plue.git.repository.created', '{}')",
  );
}

/** Notifications that arrived for what was committed so far (a round trip on the listener flushes them). */
async function notificationsSoFar(): Promise<number> {
  await listener.query('SELECT 1');
  return received.length;
}

describe('outbox notifications', () => {
  it('wakes the relay when the outbox had nothing to publish', async () => {
    await emit();
    expect(await notificationsSoFar()).toBe(1);
  });

  it('stays quiet while unpublished rows are waiting for the relay', async () => {
    await emit();
    await emit();
    expect(await notificationsSoFar()).toBe(1);
  });

  it('wakes the relay again once everything was published', async () => {
    await producer.query('UPDATE git.outbox SET published_at = now() WHERE published_at IS NULL');
    await emit();
    expect(await notificationsSoFar()).toBe(2);
  });
});
