/**
 * What a change answers, as any transport would send it, plus what its audit entry records. The
 * services that store (idempotency) and commit (change-committer) responses use this type, and
 * the HTTP layer's RouteResponse is this type, so services never import the HTTP layer.
 */
export interface ChangeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides what the audit entry of a successful change records (default: the path's `id`, or the body's). */
  readonly audit?: { readonly target?: string; readonly detail?: string };
}
