import { Client, type ClientConfig } from 'pg';

/**
 * Leadership by a session-level advisory lock on a dedicated connection. Polled with
 * pg_try_advisory_lock (a waiter blocked in pg_advisory_lock can be killed as a deadlock when a
 * migration runs CREATE INDEX CONCURRENTLY). When the leader's process or connection dies,
 * PostgreSQL releases the lock with the session and a standby's next poll takes it.
 * The same session LISTENs, so notifications reach the leader only.
 */
export class LeaderLock {
  private client: Client | null = null;
  private held = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly lockName: string,
    private readonly channel: string | null,
    private readonly onNotification: () => void,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Takes the lock if free; false when another session holds it. Connects (again) as needed. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    const client = await this.connection();
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(('x' || substr(md5($1), 1, 16))::bit(64)::bigint) AS locked",
      [this.lockName],
    );
    if (!rows[0].locked) return false;
    if (this.channel) await client.query(`LISTEN ${this.channel}`);
    this.held = true;
    return true;
  }

  /** Ends the session, which releases the lock and the LISTEN. */
  async release(): Promise<void> {
    this.held = false;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client(this.config);
    const lost = () => {
      if (this.client !== client) return;
      this.held = false;
      this.client = null;
      client.end().catch(() => undefined);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.onNotification());
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      lost();
      throw error;
    }
    return client;
  }
}
