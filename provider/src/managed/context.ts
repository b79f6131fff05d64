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

  /** The client for one operation, cancelled when Terraform sends StopProvider. */
  api(signal: AbortSignal): ManagedApiClient {
    if (!this.client) throw new DiagnosticError('Provider configuration not ready', this.unavailableReason);
    return this.client.withSignal(signal);
  }
}
