/**
 * `managed_api_key`: a key minted through the control plane (docs/guides/decisions.md#terraform-provider).
 *
 * - plan: single-attribute rules, defaults, ttl equality and replacement are schema declarations
 *   (schemas.ts); cross-attribute checks run in `validate` (ValidateResourceConfig, which
 *   Terraform also calls during plan with the final values); `modifyPlan` marks effective_scopes unknown when
 *   preset or scopes change, plans a rotation (secret and expires_at unknown: an in-place update)
 *   when rotation_trigger changes or the key expires within rotate_before_expiry, and a
 *   replacement with a warning when the key has expired.
 * - update: PATCH what changed; rotate when the plan left the secret unknown.
 * - create: one Idempotency-Key per apply of this resource, reused by every retry, so a
 *   connection dropped after the server committed never mints a second key.
 * - read: the server's truth; a revoked or deleted key leaves the state with a warning
 *   (Terraform then plans a create); an expired key stays, so the plan can say it is replaced
 *   because it expired. Read only GETs; it never changes the server.
 * - delete: revokes (idempotent).
 */
import { AttributePath, isUnknown, unknown, type ObjectValue, type ResourceDefinition } from '../../framework';
import { parseDuration } from '@managed-dev/contract';
import { newIdempotencyKey } from '../client/api-client';
import { addApiFailure, failWithApiFailure } from '../api-diagnostics';
import type { ManagedContext } from '../context';
import { apiKeySchema } from '../schemas';
import { validateApiKeyConfig } from '../validation';
import { configView, createBody, importedIdOnlyState, knownString, scopesOrPresetChanged, stateAfterApply, stateFromRecord, updateBody } from './api-key-state';

const KEY_ID = /^key_[A-Za-z0-9_-]+$/;
/** The control plane's default rotation grace period: the old secret stops at once. */
const DEFAULT_GRACE_PERIOD = '0';

/**
 * A rotation is due when rotation_trigger changed (set, changed or removed) or when the key
 * expires within rotate_before_expiry, judged at `now` (the control plane's clock).
 */
export function rotationDue(prior: ObjectValue, config: ObjectValue, expiresAt: number, now: number): boolean {
  const trigger = knownString(config.rotation_trigger);
  if (trigger === undefined || trigger !== (knownString(prior.rotation_trigger) ?? null)) return true;
  const window = knownString(config.rotate_before_expiry);
  if (typeof window !== 'string') return false;
  const parsed = parseDuration(window);
  return parsed.ok && parsed.milliseconds > 0 && now >= expiresAt - parsed.milliseconds;
}

export const apiKeyResource: ResourceDefinition<ManagedContext> = {
  schema: apiKeySchema,

  validate({ config, diagnostics }) {
    for (const problem of validateApiKeyConfig(configView(config))) {
      const path = AttributePath.root(problem.attribute);
      if (problem.severity === 'error') diagnostics.error(problem.summary, problem.detail, path);
      else diagnostics.warning(problem.summary, problem.detail, path);
    }
  },

  async modifyPlan({ prior, config, planned, requireReplacement, diagnostics, client }) {
    // Defaults (ttl "90d", grace "0"), ttl equality and ttl replacement are declared on the schema.
    if (prior === null) return;
    const now = (client ? await client.serverNow() : new Date()).getTime();
    const expiresAt = typeof prior.expires_at === 'string' ? Date.parse(prior.expires_at) : Number.NaN;
    if (expiresAt <= now) {
      // An expired key can be neither used nor rotated: replace it, and say why.
      diagnostics.warning(
        'API key expired: it will be replaced',
        `Key ${String(prior.id)} ("${String(prior.name)}") expired at ${String(prior.expires_at)}, when its ttl of ${String(prior.ttl)} ran out. ` +
          'Terraform plans a new key (new id and secret) in its place. Set rotate_before_expiry to rotate keys in place before they expire.',
        AttributePath.root('expires_at'),
      );
      planned.expires_at = unknown;
      requireReplacement(AttributePath.root('expires_at'));
      return;
    }
    if (rotationDue(prior, config, expiresAt, now)) {
      planned.secret = unknown;
      planned.expires_at = unknown;
    }
    if (scopesOrPresetChanged(prior, planned)) planned.effective_scopes = unknown;
  },

  async create({ client, planned, diagnostics, signal }) {
    const api = client.api(signal);
    // Generated once per apply of this resource; the client reuses it on every retry.
    const idempotencyKey = newIdempotencyKey();
    try {
      const minted = await api.createKey(createBody(planned), idempotencyKey);
      return stateAfterApply(planned, stateFromRecord(minted, { secret: minted.secret }));
    } catch (error) {
      failWithApiFailure(diagnostics, `create the API key "${String(planned.name)}"`, error);
    }
  },

  stateLoaded({ client, state }) {
    // The refresh's read of this key follows at once; it can share a batch already being sent.
    if (typeof state.id === 'string') client.expectKeyRead(state.id);
  },

  async read({ client, state, diagnostics, signal }) {
    const id = state.id;
    if (typeof id !== 'string') return null;
    const api = client.api(signal);
    let record;
    try {
      record = await api.getKey(id);
    } catch (error) {
      addApiFailure(diagnostics, `read API key ${id}`, error);
      return state;
    }
    const label = typeof state.name === 'string' ? `${id} ("${state.name}")` : id;
    if (record === null) {
      diagnostics.warning(
        'API key deleted outside Terraform',
        `Key ${label} no longer exists (or the provider's token can no longer see it). Terraform removed it from the state and will plan to create it again.`,
      );
      return null;
    }
    if (record.status === 'revoked') {
      diagnostics.warning(
        'API key revoked outside Terraform',
        `Key ${label} is revoked${record.revoked_at ? ` since ${record.revoked_at}` : ''}, so it no longer authenticates anything. ` +
          'Terraform removed it from the state and will plan to create a new key (with a new secret).',
      );
      return null;
    }
    // An expired key stays in the state: the plan replaces it with a warning that says it expired.
    return stateFromRecord(record, state);
  },

  async update({ client, prior, planned, diagnostics, signal }) {
    const api = client.api(signal);
    const id = prior.id as string;
    // Generated once per apply of this resource; a retried rotation replays the first answer.
    const idempotencyKey = newIdempotencyKey();
    try {
      const body = updateBody(prior, planned);
      let record = Object.keys(body).length > 0 ? await api.updateKey(id, body) : await api.getKey(id);
      if (record === null) {
        diagnostics.error('API key disappeared', `Key ${id} was deleted while Terraform was updating it; run terraform apply again to create it anew.`);
        return prior;
      }
      let secret = prior.secret;
      // The plan leaves the secret unknown exactly when it rotates (modifyPlan).
      if (isUnknown(planned.secret)) {
        const gracePeriod = typeof planned.rotation_grace_period === 'string' ? planned.rotation_grace_period : DEFAULT_GRACE_PERIOD;
        const rotated = await api.rotateKey(id, gracePeriod, idempotencyKey);
        record = rotated;
        secret = rotated.secret;
      }
      return stateAfterApply(planned, stateFromRecord(record, { ...prior, secret }));
    } catch (error) {
      addApiFailure(diagnostics, `update API key ${id}`, error);
      return prior;
    }
  },

  async delete({ client, prior, diagnostics, signal }) {
    const id = prior.id;
    if (typeof id !== 'string') return;
    try {
      await client.api(signal).revokeKey(id);
    } catch (error) {
      addApiFailure(diagnostics, `revoke API key ${id}`, error);
    }
  },

  importState({ id, diagnostics }) {
    if (!KEY_ID.test(id)) {
      diagnostics.error('Invalid key id', `"${id}" is not an API key id: import with the key's id, which looks like "key_…" (see GET /v1/keys).`);
    }
    return importedIdOnlyState(id);
  },
};
