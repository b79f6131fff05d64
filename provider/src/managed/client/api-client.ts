/**
 * The managed.dev API as the provider needs it, with retries.
 *
 * Retry policy: network failures (refused, reset, timeout, a connection dropped mid-response),
 * 429 and 5xx are retried with exponential backoff and jitter, honouring Retry-After. A request
 * is retried only when repeating it is harmless: GET, PATCH (it sets absolute values) and DELETE
 * (revocation is idempotent) always; POST only when it carries an Idempotency-Key, which makes
 * the server replay the first answer instead of minting a second key. A 409 on such a POST means
 * the first attempt is still in flight on the server, so it is retried too.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, ApiUnreachableError, parseProblem } from './problem';
import { BackoffPolicy, DEFAULT_BACKOFF, parseRetryAfterMs, retryDelayMs } from './backoff';
import { sendRequest, TransportRequest, TransportResponse } from './transport';
import { KeyReadBatcher, type KeyReader } from './key-read-batcher';
import type { CreateKeyBody, KeyRecord, MintedKey, Page, PresetEntry, ScopeEntry, UpdateKeyBody, Whoami } from '@managed-dev/contract';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface ApiClientOptions {
  /** Base URL of the control plane, e.g. "http://127.0.0.1:8080" (a trailing "/v1" is accepted). */
  readonly endpoint: string;
  readonly token: string;
  /** Where the token came from, named in the hint of a 401 ("the MANAGED_TOKEN environment variable"). */
  readonly credentialSource?: string;
  readonly backoff?: Partial<BackoffPolicy>;
  /** Per attempt. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /** Cancels waits and in-flight requests (Terraform's StopProvider). */
  readonly signal?: AbortSignal;
  readonly log?: (level: LogLevel, message: string) => void;
  /** Injected in tests; production uses Math.random and real timers. */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly transport?: (request: TransportRequest) => Promise<TransportResponse>;
  /** Learns the control plane's time from its Date headers; shared by every client derived with withSignal. */
  readonly serverClock?: ServerClock;
  /** Coalesces concurrent getKey calls into batched reads; shared by every client derived with withSignal. */
  readonly keyReads?: KeyReadBatcher;
}

/**
 * The control plane's clock as seen through its `Date` response headers. Expiry windows
 * (rotate_before_expiry, "has this key expired?") are judged by the server's time, not by the
 * clock of the machine running Terraform, which may be skewed.
 */
export class ServerClock {
  private offsetMs = 0;
  /** False until a response carried a Date header. */
  observed = false;

  constructor(private readonly localNow: () => number = Date.now) {}

  /** Records one response's Date header (1 s resolution). */
  observe(dateHeader: string | undefined): void {
    if (!dateHeader) return;
    const serverTime = Date.parse(dateHeader);
    if (!Number.isFinite(serverTime)) return;
    this.offsetMs = serverTime - this.localNow();
    this.observed = true;
  }

  now(): Date {
    return new Date(this.localNow() + this.offsetMs);
  }
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  /** An array value repeats the parameter (`id=a&id=b`). */
  readonly query?: Readonly<Record<string, string | number | readonly string[] | undefined>>;
  /** A POST that is safe to repeat without an Idempotency-Key (renewal). */
  readonly repeatable?: boolean;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('request cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('request cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A fresh Idempotency-Key value. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

export class ManagedApiClient {
  private readonly baseUrl: URL;
  private readonly policy: BackoffPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly transport: (request: TransportRequest) => Promise<TransportResponse>;
  readonly serverClock: ServerClock;
  readonly keyReads: KeyReadBatcher;
  private readonly keyReader: KeyReader;

  constructor(private readonly options: ApiClientOptions) {
    let base: URL;
    try {
      base = new URL(options.endpoint);
    } catch {
      throw new Error(`endpoint "${options.endpoint}" is not a URL: write it like "https://api.managed.dev"`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error(`endpoint "${options.endpoint}" must start with http:// or https://`);
    }
    // Accept both "https://host" and "https://host/v1"; paths below always add /v1 themselves.
    base.pathname = base.pathname.replace(/\/+$/, '').replace(/\/v1$/, '') + '/';
    this.baseUrl = base;
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
    this.transport = options.transport ?? sendRequest;
    this.serverClock = options.serverClock ?? new ServerClock();
    this.keyReads = options.keyReads ?? new KeyReadBatcher();
    this.keyReader = {
      readOne: (id) => this.getKeyAlone(id),
      // Every page: the control plane answers a read by ids in one page today, but an id left on a
      // page not read would look like a deleted key (and be planned again).
      readMany: (ids) => this.listKeyPages({ id: ids }),
    };
  }

  /** The same client whose requests and retry waits end when `signal` aborts (Terraform's StopProvider). */
  withSignal(signal: AbortSignal): ManagedApiClient {
    return new ManagedApiClient({ ...this.options, signal, serverClock: this.serverClock, keyReads: this.keyReads });
  }

  /** The token this client sends. */
  get token(): string {
    return this.options.token;
  }

  get endpoint(): string {
    return this.baseUrl.href.replace(/\/$/, '');
  }

  whoami(): Promise<Whoami> {
    return this.request('GET', '/v1/whoami');
  }

  /** GET /v1/scopes answers `{scopes: [{name, description, dangerous}]}`. */
  async listScopes(): Promise<ScopeEntry[]> {
    const answer = await this.request<{ scopes?: ScopeEntry[] }>('GET', '/v1/scopes');
    if (!Array.isArray(answer?.scopes)) throw new Error('GET /v1/scopes answered without a "scopes" list');
    return answer.scopes;
  }

  /** GET /v1/presets answers `{presets: {name: {description, scopes}}}`. */
  async listPresets(): Promise<PresetEntry[]> {
    const answer = await this.request<{ presets?: Record<string, Omit<PresetEntry, 'name'>> }>('GET', '/v1/presets');
    if (!answer?.presets || typeof answer.presets !== 'object') throw new Error('GET /v1/presets answered without a "presets" map');
    return Object.entries(answer.presets).map(([name, preset]) => ({ name, ...preset }));
  }

  /** Mints a key. The same idempotencyKey on every retry (and every re-run of the same planned create) replays the first answer. */
  createKey(body: CreateKeyBody, idempotencyKey: string): Promise<MintedKey> {
    return this.request('POST', '/v1/keys', { body, idempotencyKey });
  }

  /**
   * The key record, or null when the key does not exist (or is hidden from this token, which the
   * API answers the same way). Reads that arrive together share one request (key-read-batcher.ts).
   */
  getKey(id: string): Promise<KeyRecord | null> {
    return this.keyReads.read(id, this.keyReader);
  }

  /** Notes that getKey(id) is probably coming (Terraform handed its state over); see key-read-batcher.ts. */
  expectKeyRead(id: string): void {
    this.keyReads.expect(id);
  }

  /** A change to a key: nothing fetched ahead of it, before or while it runs, may answer a later read. */
  private async changing<T>(id: string, change: () => Promise<T>): Promise<T> {
    this.keyReads.forget(id);
    try {
      return await change();
    } finally {
      this.keyReads.forget(id);
    }
  }

  /** GET /v1/keys/{id}, on its own. */
  private async getKeyAlone(id: string): Promise<KeyRecord | null> {
    try {
      return await this.request<KeyRecord>('GET', `/v1/keys/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  listKeys(filter: { name?: string; status?: string } = {}): Promise<KeyRecord[]> {
    return this.listKeyPages({ ...filter, limit: 100 });
  }

  /** GET /v1/keys with `query`, following next_cursor to the last page. */
  private async listKeyPages(query: RequestOptions['query']): Promise<KeyRecord[]> {
    const keys: KeyRecord[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<KeyRecord> = await this.request('GET', '/v1/keys', { query: { ...query, cursor } });
      keys.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return keys;
  }

  updateKey(id: string, body: UpdateKeyBody): Promise<KeyRecord> {
    return this.changing(id, () => this.request('PATCH', `/v1/keys/${encodeURIComponent(id)}`, { body }));
  }

  /**
   * Issues a new secret (the old one works for `gracePeriod`) and renews expires_at to now + ttl.
   * The Idempotency-Key makes a retried rotation replay the first answer rather than rotate twice.
   */
  rotateKey(id: string, gracePeriod: string, idempotencyKey: string): Promise<MintedKey> {
    return this.changing(id, () => this.request('POST', `/v1/keys/${encodeURIComponent(id)}/rotate`, { body: { grace_period: gracePeriod }, idempotencyKey }));
  }

  /** Extends an ephemeral key to now + its ttl. Repeating it is harmless (it only extends again), so it is retried. */
  renewKey(id: string): Promise<KeyRecord> {
    return this.changing(id, () => this.request('POST', `/v1/keys/${encodeURIComponent(id)}/renew`, { repeatable: true }));
  }

  /** Revokes a key. Revoking twice is a success (docs/guides/api.md#keys); a key that no longer exists counts as revoked. */
  async revokeKey(id: string): Promise<void> {
    try {
      await this.changing(id, () => this.request<unknown>('DELETE', `/v1/keys/${encodeURIComponent(id)}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return;
      throw error;
    }
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(name, item);
      else if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${this.options.token}`,
      'user-agent': this.options.userAgent ?? 'terraform-provider-managed',
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const repeatable = method !== 'POST' || options.idempotencyKey !== undefined || options.repeatable === true;
    const label = `${method} ${url.pathname}`;

    for (let attempt = 1; ; attempt++) {
      const canRetry = repeatable && attempt < this.policy.maxAttempts;
      let response: TransportResponse;
      try {
        response = await this.transport({ method, url, headers, body, timeoutMs: this.timeoutMs, signal: this.options.signal });
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error));
        if (!canRetry || this.options.signal?.aborted) throw new ApiUnreachableError(method, url.href, attempt, cause);
        const wait = retryDelayMs(this.policy, attempt, undefined, this.random());
        this.log('WARN', `${label} attempt ${attempt} failed (${cause.message}); retrying in ${wait} ms`);
        await this.pause(wait, method, url.href, attempt, cause);
        continue;
      }

      this.serverClock.observe(headerText(response.headers.date));
      if (response.status >= 200 && response.status < 300) {
        if (response.status === 204 || response.body.length === 0) return undefined as T;
        try {
          return JSON.parse(response.body) as T;
        } catch {
          throw new Error(`${label} answered ${response.status} with a body that is not JSON`);
        }
      }

      const inFlightReplay = response.status === 409 && options.idempotencyKey !== undefined;
      if (canRetry && (RETRYABLE_STATUS.has(response.status) || inFlightReplay)) {
        const retryAfter = parseRetryAfterMs(headerText(response.headers['retry-after']), Date.now());
        const wait = retryDelayMs(this.policy, attempt, retryAfter, this.random());
        this.log('WARN', `${label} attempt ${attempt} answered ${response.status}; retrying in ${wait} ms`);
        await this.pause(wait, method, url.href, attempt, new Error(`HTTP ${response.status}`));
        continue;
      }
      throw new ApiError(
        method,
        url.pathname,
        parseProblem(response.status, response.statusText, headerText(response.headers['content-type']), response.body),
        this.options.credentialSource,
      );
    }
  }

  private async pause(ms: number, method: string, url: string, attempt: number, cause: Error): Promise<void> {
    try {
      await this.sleep(ms, this.options.signal);
    } catch {
      throw new ApiUnreachableError(method, url, attempt, cause);
    }
  }

  private log(level: LogLevel, message: string): void {
    this.options.log?.(level, message);
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
