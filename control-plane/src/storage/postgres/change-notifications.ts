/**
 * The change stamp across replicas (see storage/change-stamp.ts for what it is for).
 *
 * Every transaction that wrote something a cache may hold sends `NOTIFY <channel>` before it
 * commits; PostgreSQL delivers it to every listening session when, and only if, the transaction
 * commits. Each replica keeps one connection of its own (not from the pool: a pooled connection
 * is handed to transactions) that LISTENs and moves the stamp on every notification from another
 * replica; the replica's own commits move it directly, right after COMMIT, so it reads its own
 * writes at once and ignores the echo of its own notifications (the payload names the sender).
 *
 * If the listening connection drops, notifications sent meanwhile are lost, so nothing cached can
 * be trusted: the stamp moves at the drop, on every read while the connection is down (a cache
 * then holds nothing for longer than one lookup), and once more when LISTEN is back in place.
 * Reconnection backs off from RECONNECT_MIN_DELAY_MS to RECONNECT_MAX_DELAY_MS.
 *
 * A connection can also die silently (a network path that drops packets, a frozen server): no
 * error, no end, just no notifications. So the listener asks the server `SELECT 1` every
 * HEARTBEAT_INTERVAL_MS; once nothing has answered for TRUSTED_SILENCE_MS the stamp moves on every
 * read as if the connection were down, and a heartbeat, connection or LISTEN that gets no answer
 * within UNANSWERED_LIMIT_MS counts as a drop (reconnect).
 */
import { randomUUID } from 'node:crypto';
import { Client, type ClientConfig, type Notification } from 'pg';

export const CHANGES_CHANNEL = 'managed_changes';
export const LISTENER_APPLICATION_NAME = 'managed-change-listener';
export const RECONNECT_MIN_DELAY_MS = 50;
export const RECONNECT_MAX_DELAY_MS = 5000;
export const HEARTBEAT_INTERVAL_MS = 500;
export const TRUSTED_SILENCE_MS = 2500;
export const UNANSWERED_LIMIT_MS = 5000;

export class ChangeNotifications {
  /** Sent as the payload of this replica's notifications, so its own echo is recognised. */
  readonly senderId = randomUUID();
  private stamp = 0;
  private client: Client | undefined;
  private listening = false;
  private closed = false;
  private reconnectDelayMs = RECONNECT_MIN_DELAY_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** performance.now() when the listening connection last answered. */
  private lastAnsweredAt = 0;

  constructor(
    private readonly connection: ClientConfig,
    private readonly onBackgroundError: (error: Error) => void,
    readonly channel: string = CHANGES_CHANNEL,
  ) {}

  /** Connects and listens; rejects when the first connection fails (the database is unreachable). */
  async start(): Promise<void> {
    await this.listen();
  }

  /** The stamp: still while the listener is up and answering, moving on every call otherwise. */
  current(): number {
    if (!this.listening || performance.now() - this.lastAnsweredAt > TRUSTED_SILENCE_MS) this.stamp += 1;
    return this.stamp;
  }

  /** Something this replica committed, or a reason to distrust every cache. */
  bump(): void {
    this.stamp += 1;
  }

  /** True while the listening connection is up and answering (for tests and health reporting). */
  get isListening(): boolean {
    return this.listening && performance.now() - this.lastAnsweredAt <= TRUSTED_SILENCE_MS;
  }

  /** The backend process id of the listening connection, while there is one. */
  get listenerProcessId(): number | undefined {
    return this.listening ? (this.client as unknown as { processID?: number } | undefined)?.processID : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      ...this.connection,
      application_name: LISTENER_APPLICATION_NAME,
      // A connection that silently died (a dropped network path) is noticed by TCP keepalive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: UNANSWERED_LIMIT_MS,
      query_timeout: UNANSWERED_LIMIT_MS,
    });
    client.on('notification', (message: Notification) => {
      this.lastAnsweredAt = performance.now();
      if (message.channel === this.channel && message.payload !== this.senderId) this.bump();
    });
    client.on('error', (error: Error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      this.lost(client, error as Error);
      throw error;
    }
    if (this.client !== client) return; // lost or closed while connecting
    this.lastAnsweredAt = performance.now();
    this.listening = true;
    this.reconnectDelayMs = RECONNECT_MIN_DELAY_MS;
    this.startHeartbeat(client);
    // Whatever committed between the drop (or the start) and now was not heard.
    this.bump();
  }

  private startHeartbeat(client: Client): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    let waiting = false;
    this.heartbeatTimer = setInterval(() => {
      if (waiting || this.client !== client) return;
      waiting = true;
      client.query('SELECT 1').then(
        () => {
          waiting = false;
          this.lastAnsweredAt = performance.now();
        },
        (error: Error) => this.lost(client, error), // no answer within UNANSWERED_LIMIT_MS, or the connection failed
      );
    }, HEARTBEAT_INTERVAL_MS);
    this.heartbeatTimer.unref();
  }

  private lost(client: Client, error: Error | undefined): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.bump();
    client.end().catch(() => undefined);
    if (this.closed) return;
    if (error) this.onBackgroundError(error);
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, RECONNECT_MAX_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed) this.listen().catch(() => undefined); // listen() reports and reschedules through lost()
    }, delay);
    this.reconnectTimer.unref();
  }
}
