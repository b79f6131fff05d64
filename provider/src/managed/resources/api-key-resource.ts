/**
 * `managed_api_key`: a key minted through the control plane (docs/guides/decisions.md#terraform-provider).
 *
 * - plan: validation runs in `validate` (ValidateResourceConfig, which Terraform also calls
 *   during plan with the final values); `modifyPlan` decides replacement for ttl (equal
 *   durations spelled differently are not a change) and marks effective_scopes unknown when
 *   preset or scopes change.
 * - create: one Idempotency-Key per apply of this resource, reused by every retry, so a
 *   connection dropped after the server committed never mints a second key.
 * - read: the server's truth; a revoked, expired or deleted key leaves the state with a
 *   warning (Terraform then plans a create). Read only GETs; it never changes the server.
 * - delete: revokes (idempotent).
 */
import { AttributePath, unknown, type ResourceDefinition } from '../../framework';
import { newIdempotencyKey } from '../client/api-client';
import { DEFAULT_TTL } from '@managed-dev/contract';
import { addApiFailure, failWithApiFailure } from '../api-diagnostics';
import type { ManagedContext } from '../context';
import { apiKeySchema } from '../schemas';
import { validateApiKeyConfig } from '../validation';
import {
  configView,
  createBody,
  importedIdOnlyState,
  knownString,
  sameTtl,
  scopesOrPresetChanged,
  stateAfterApply,
  stateFromRecord,
  updateBody,
} from './api-key-state';

const KEY_ID = /^key_[A-Za-z0-9_-]+$/;

export const apiKeyResource: ResourceDefinition<ManagedContext> = {
  schema: apiKeySchema,

  validate({ config, diagnostics }) {
    for (const problem of validateApiKeyConfig(configView(config))) {
      const path = AttributePath.root(problem.attribute);
      if (problem.severity === 'error') diagnostics.error(problem.summary, problem.detail, path);
      else diagnostics.warning(problem.summary, problem.detail, path);
    }
  },

  modifyPlan({ prior, config, planned, requireReplacement }) {
    const configTtl = knownString(config.ttl);
    if (prior === null) {
      // Show the lifetime the key will get rather than "(known after apply)".
      if (configTtl === null) planned.ttl = DEFAULT_TTL;
      return;
    }
    const priorTtl = typeof prior.ttl === 'string' ? prior.ttl : null;
    if (configTtl === undefined) {
      requireReplacement(AttributePath.root('ttl'));
    } else if (configTtl !== null && priorTtl !== null) {
      if (sameTtl(configTtl, priorTtl)) planned.ttl = priorTtl;
      else requireReplacement(AttributePath.root('ttl'));
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
    if (record.status !== 'active') {
      const when = record.status === 'revoked' ? record.revoked_at : record.expires_at;
      diagnostics.warning(
        `API key ${record.status} outside Terraform`,
        `Key ${label} is ${record.status}${when ? ` since ${when}` : ''}, so it no longer authenticates anything. ` +
          'Terraform removed it from the state and will plan to create a new key (with a new secret).',
      );
      return null;
    }
    return stateFromRecord(record, state);
  },

  async update({ client, prior, planned, diagnostics, signal }) {
    const api = client.api(signal);
    const id = prior.id as string;
    try {
      const body = updateBody(prior, planned);
      const record = Object.keys(body).length > 0 ? await api.updateKey(id, body) : await api.getKey(id);
      if (record === null) {
        diagnostics.error('API key disappeared', `Key ${id} was deleted while Terraform was updating it; run terraform apply again to create it anew.`);
        return prior;
      }
      return stateAfterApply(planned, stateFromRecord(record, prior));
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
