/**
 * What ConfigureProvider hands to every resource and data source: a way to get an API client,
 * or the reason there is none (configuration unknown until apply, or missing).
 */
import { DiagnosticError } from '../framework';
import { ManagedApiClient } from './client/api-client';

export class ManagedContext {
  constructor(
    private readonly client: ManagedApiClient | undefined,
    private readonly unavailableReason: string,
  ) {}

  /**
   * The control plane's current time as its last answer told it (Date header), or this machine's
   * clock before any answer: expiry windows are judged by the server that enforces them.
   */
  async serverNow(): Promise<Date> {
    if (!this.client) return new Date();
    // A process that has not talked to the control plane yet (apply re-plans without refreshing)
    // asks it once, so plan and apply judge an expiry window by the same clock.
    if (!this.client.serverClock.observed) await this.client.whoami().catch(() => undefined);
    return this.client.serverClock.now();
  }

  /** Notes that this key's read is probably coming, so a batch sent meanwhile may fetch it too. */
  expectKeyRead(id: string): void {
    this.client?.expectKeyRead(id);
  }

  /** The client for one operation, cancelled when Terraform sends StopProvider. */
  api(signal: AbortSignal): ManagedApiClient {
    if (!this.client) throw new DiagnosticError('Provider configuration not ready', this.unavailableReason);
    return this.client.withSignal(signal);
  }
}
