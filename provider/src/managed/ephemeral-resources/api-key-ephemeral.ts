/**
 * `ephemeral "managed_api_key"`: a key for one Terraform run that never reaches state or plan.
 *
 * - open (every plan and every apply, afresh): mints an ephemeral key (POST /v1/keys with
 *   `ephemeral: true`) under one Idempotency-Key reused by every retry, so a retried Open never
 *   leaves two keys; asks Terraform to renew it after two thirds of its ttl.
 * - renew: POST /v1/keys/{id}/renew moves expires_at to now + ttl; renewal is scheduled again.
 * - close: revokes. A run killed before Close leaves a key that dies at its ttl (5m–24h).
 *
 * The renewal time is computed from the ttl on the local clock (Terraform's timer runs on it),
 * so a skew between this machine and the control plane does not matter.
 */
import { AttributePath, type EphemeralResourceDefinition, type ObjectValue } from '../../framework';
import { DEFAULT_EPHEMERAL_TTL, parseTtl } from '@managed-dev/contract';
import { newIdempotencyKey } from '../client/api-client';
import { addApiFailure, failWithApiFailure } from '../api-diagnostics';
import type { ManagedContext } from '../context';
import { ephemeralApiKeySchema } from '../schemas';
import { validateApiKeyConfig } from '../validation';
import { configView, createBody } from '../resources/api-key-state';

/** What Terraform hands back to renew and close (JSON, kept opaque by Terraform). */
interface EphemeralKeyPrivate {
  readonly id: string;
  readonly ttl: string;
}

function isEphemeralKeyPrivate(value: unknown): value is EphemeralKeyPrivate {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EphemeralKeyPrivate).id === 'string' &&
    typeof (value as EphemeralKeyPrivate).ttl === 'string'
  );
}

/** Renew once two thirds of the lifetime have passed: a third of it is left for Terraform's timer and retries. */
export function renewalTime(ttl: string, now: number): Date {
  const parsed = parseTtl(ttl, 'ephemeral');
  const lifetime = parsed.ok ? parsed.milliseconds : 5 * 60_000;
  return new Date(now + Math.floor((lifetime * 2) / 3));
}

export interface EphemeralApiKeyOptions {
  /** The local clock renewal times are computed on; injected in tests. */
  readonly now?: () => number;
}

export function ephemeralApiKeyResource(options: EphemeralApiKeyOptions = {}): EphemeralResourceDefinition<ManagedContext> {
  const now = options.now ?? Date.now;
  return {
    schema: ephemeralApiKeySchema,

    validate({ config, diagnostics }) {
      for (const problem of validateApiKeyConfig(configView(config))) {
        const path = AttributePath.root(problem.attribute);
        if (problem.severity === 'error') diagnostics.error(problem.summary, problem.detail, path);
        else diagnostics.warning(problem.summary, problem.detail, path);
      }
    },

    async open({ client, config, diagnostics, signal }) {
      const ttl = typeof config.ttl === 'string' ? config.ttl : DEFAULT_EPHEMERAL_TTL;
      const api = client.api(signal);
      try {
        const minted = await api.createKey({ ...createBody({ ...config, ttl }), ephemeral: true }, newIdempotencyKey());
        const result: ObjectValue = {
          ...config,
          ttl,
          id: minted.id,
          secret: minted.secret,
          expires_at: minted.expires_at,
          effective_scopes: [...minted.effective_scopes].sort(),
        };
        const privateState: EphemeralKeyPrivate = { id: minted.id, ttl: minted.ttl ?? ttl };
        return { result, private: privateState, renewAt: renewalTime(privateState.ttl, now()) };
      } catch (error) {
        failWithApiFailure(diagnostics, `mint the ephemeral API key "${String(config.name)}"`, error);
      }
    },

    async renew({ client, private: privateState, diagnostics, signal }) {
      if (!isEphemeralKeyPrivate(privateState)) return {};
      try {
        await client.api(signal).renewKey(privateState.id);
        return { renewAt: renewalTime(privateState.ttl, now()) };
      } catch (error) {
        // Without a renew_at Terraform stops renewing; the key then lives out its ttl.
        addApiFailure(diagnostics, `renew ephemeral API key ${privateState.id}`, error);
        return {};
      }
    },

    async close({ client, private: privateState, diagnostics, signal }) {
      if (!isEphemeralKeyPrivate(privateState)) return;
      try {
        await client.api(signal).revokeKey(privateState.id);
      } catch (error) {
        addApiFailure(diagnostics, `revoke ephemeral API key ${privateState.id}`, error);
      }
    },
  };
}
