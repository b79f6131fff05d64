/**
 * The managed provider's schemas (docs/guides/decisions.md#terraform-provider). Attribute names and types are the contract that
 * schema/provider.json and the CDKTF bindings are generated from.
 */
import { AttributePath, types, type AttributeValidator, type BlockSchema, type VersionedSchema, type Value } from '../framework';
import { DEFAULT_TTL, type TtlKind } from '@managed-dev/contract';
import { checkGracePeriod, checkTtl, CONSTRAINT_ATTRIBUTES, type ConfigProblem } from './validation';
import { sameTtl } from './ttl-equality';

/** A validator reporting the pure checks' problems (validation.ts) on the attribute's line. */
function reporting(check: (value: string) => ConfigProblem[]): AttributeValidator {
  return (value, { diagnostics }) => {
    if (typeof value !== 'string') return;
    for (const problem of check(value)) {
      const path = AttributePath.root(problem.attribute);
      if (problem.severity === 'error') diagnostics.error(problem.summary, problem.detail, path);
      else diagnostics.warning(problem.summary, problem.detail, path);
    }
  };
}

/** "90d" and "2160h" are one lifetime: written once, for plans and refreshes alike. */
const ttlEquality = (a: Value, b: Value): boolean => typeof a === 'string' && typeof b === 'string' && sameTtl(a, b);
const ttlValidator = (kind: TtlKind): AttributeValidator => reporting((ttl) => checkTtl(ttl, kind));

/** A key has at most one constraint. */
const ONE_CONSTRAINT = [{ attributes: CONSTRAINT_ATTRIBUTES, reason: 'A key is constrained to one team, project or site.' }];

const stringSet = types.set(types.string);

export const providerSchema: BlockSchema = {
  description: 'Manages managed.dev API keys as code.',
  attributes: {
    endpoint: {
      type: types.string,
      optional: true,
      description: 'Base URL of the managed.dev control plane, e.g. "https://api.managed.dev". Defaults to the MANAGED_ENDPOINT environment variable.',
    },
    token: {
      type: types.string,
      optional: true,
      sensitive: true,
      description: 'API key (mdk_…) the provider authenticates with; it needs keys:read and keys:write. Defaults to the MANAGED_TOKEN environment variable.',
    },
  },
};

export const apiKeySchema: VersionedSchema = {
  version: 0,
  description:
    'A managed.dev API key. The secret is known only to the Terraform state that created the key; ' +
    'a scope change made outside Terraform shows as an in-place update, and a key revoked or expired outside Terraform is planned for re-creation.',
  attributes: {
    id: { type: types.string, computed: true, description: 'Key id (key_…). Import a key with `terraform import <address> <id>`.' },
    name: { type: types.string, required: true, description: 'Human-readable name.' },
    description: { type: types.string, optional: true, description: 'Free-form description.' },
    preset: {
      type: types.string,
      optional: true,
      description: 'Preset whose scopes the key receives: read-only, deploy-bot, ci-terraform, observability or wp-automation.',
    },
    scopes: {
      type: stringSet,
      optional: true,
      description: 'Scopes (resource:action, wildcards allowed) granted in addition to the preset. Wildcards never grant a dangerous scope.',
    },
    team_id: {
      type: types.string,
      optional: true,
      requiresReplace: true,
      description: 'Constrain the key to one team (at most one constraint). Changing it replaces the key.',
    },
    project_id: {
      type: types.string,
      optional: true,
      requiresReplace: true,
      description: 'Constrain the key to one project (at most one constraint). Changing it replaces the key.',
    },
    site_id: {
      type: types.string,
      optional: true,
      requiresReplace: true,
      description: 'Constrain the key to one site (at most one constraint). Changing it replaces the key.',
    },
    ip_allowlist: { type: stringSet, optional: true, description: 'IPv4/IPv6 CIDRs (at most 32) the key may be used from; any address when unset.' },
    ttl: {
      type: types.string,
      optional: true,
      computed: true,
      default: DEFAULT_TTL,
      requiresReplace: true,
      semanticEquals: ttlEquality,
      validators: [ttlValidator('standard')],
      description:
        'Lifetime such as "90d", "720h" or "30m" (1h to 365d, default 90d). Changing it replaces the key; equal durations written differently do not. A rotation starts a fresh lifetime: expires_at becomes the rotation time + ttl.',
    },
    rotation_trigger: {
      type: types.string,
      optional: true,
      description:
        'Any string; changing it rotates the key in place: same id, new secret, expires_at renewed to now + ttl. ' +
        'For example a date to rotate on a schedule, or the id of the deploy that must get a fresh secret.',
    },
    rotation_grace_period: {
      type: types.string,
      optional: true,
      computed: true,
      default: '0',
      validators: [reporting(checkGracePeriod)],
      description: 'How long the previous secret keeps working after a rotation: "0" (default, it stops at once) up to "7d"; units s, m, h, d.',
    },
    rotate_before_expiry: {
      type: types.string,
      optional: true,
      description:
        'A duration such as "7d": a plan that runs when the key expires within it shows an in-place rotation, so a regular ' +
        "`terraform apply` keeps the key alive without a new id. Must be shorter than ttl. Judged by the control plane's clock.",
    },
    secret: {
      type: types.string,
      computed: true,
      sensitive: true,
      description: 'The secret (mdk_…), known only to the state that created the key; null after import. Changes on each rotation.',
    },
    effective_scopes: {
      type: stringSet,
      computed: true,
      description: "The concrete scopes the key grants today: preset and scopes expanded, within its owner's role.",
    },
    expires_at: {
      type: types.string,
      computed: true,
      description: 'When the key expires (RFC 3339): minting or last rotation time + ttl. An expired key is planned for replacement, with a warning.',
    },
    created_at: { type: types.string, computed: true, description: 'When the key was minted (RFC 3339).' },
  },
  atMostOneOf: ONE_CONSTRAINT,
};

export const scopesDataSourceSchema: VersionedSchema = {
  version: 0,
  description: 'The scope catalog and the presets, as the control plane serves them.',
  attributes: {
    id: { type: types.string, computed: true, description: 'Always "catalog".' },
    scopes: {
      type: types.list(types.object({ name: types.string, description: types.string, dangerous: types.bool })),
      computed: true,
      description: 'Every scope with its description and whether it is dangerous (never granted by a wildcard).',
    },
    presets: { type: types.map(types.list(types.string)), computed: true, description: 'Preset name to the scopes it grants.' },
  },
};

export const apiKeyDataSourceSchema: VersionedSchema = {
  version: 0,
  description: "A key's metadata by id. Never the secret.",
  attributes: {
    id: { type: types.string, required: true, description: 'Key id (key_…).' },
    name: { type: types.string, computed: true, description: 'Human-readable name.' },
    description: { type: types.string, computed: true, description: 'Free-form description.' },
    preset: { type: types.string, computed: true, description: 'Preset, if any.' },
    scopes: { type: stringSet, computed: true, description: 'Scopes as stored (patterns kept as given).' },
    effective_scopes: { type: stringSet, computed: true, description: 'The concrete scopes the key grants today.' },
    team_id: { type: types.string, computed: true, description: 'Team constraint, if any.' },
    project_id: { type: types.string, computed: true, description: 'Project constraint, if any.' },
    site_id: { type: types.string, computed: true, description: 'Site constraint, if any.' },
    ip_allowlist: { type: stringSet, computed: true, description: 'IP allowlist (CIDRs).' },
    status: { type: types.string, computed: true, description: 'active, expired or revoked.' },
    principal_id: { type: types.string, computed: true, description: 'The principal the key belongs to.' },
    created_at: { type: types.string, computed: true, description: 'When the key was minted (RFC 3339).' },
    expires_at: { type: types.string, computed: true, description: 'When the key expires (RFC 3339).' },
    revoked_at: { type: types.string, computed: true, description: 'When the key was revoked, if it was.' },
    last_used_at: { type: types.string, computed: true, description: 'Last use (written at most once a minute).' },
    last_used_ip: { type: types.string, computed: true, description: 'Address of the last use.' },
  },
};

export const ephemeralApiKeySchema: VersionedSchema = {
  version: 0,
  description:
    'A short-lived managed.dev API key for one Terraform run, never written to state or plan: minted when Terraform opens it ' +
    '(in every plan and apply), renewed while the run needs it, revoked when the run is done. A key whose revocation never ' +
    'comes (a killed run) dies at its ttl. Use it to configure another `provider "managed"` or anything that takes an ephemeral value.',
  attributes: {
    name: { type: types.string, required: true, description: 'Human-readable name of each key minted.' },
    description: { type: types.string, optional: true, description: 'Free-form description.' },
    preset: {
      type: types.string,
      optional: true,
      description: 'Preset whose scopes the key receives: read-only, deploy-bot, ci-terraform, observability or wp-automation.',
    },
    scopes: {
      type: stringSet,
      optional: true,
      description: "Scopes (resource:action, wildcards allowed) granted in addition to the preset; at most what the provider's token may grant.",
    },
    team_id: { type: types.string, optional: true, description: 'Constrain the key to one team (at most one constraint).' },
    project_id: { type: types.string, optional: true, description: 'Constrain the key to one project (at most one constraint).' },
    site_id: { type: types.string, optional: true, description: 'Constrain the key to one site (at most one constraint).' },
    ip_allowlist: { type: stringSet, optional: true, description: 'IPv4/IPv6 CIDRs (at most 32) the key may be used from; any address when unset.' },
    ttl: {
      type: types.string,
      optional: true,
      computed: true,
      validators: [ttlValidator('ephemeral')],
      description: 'Lifetime of each key minted, "5m" to "24h" (default "1h"). Terraform renews the key after two thirds of it while the run still needs it.',
    },
    id: { type: types.string, computed: true, description: 'Key id (key_…).' },
    secret: { type: types.string, computed: true, sensitive: true, description: 'The secret (mdk_…). Ephemeral: it exists only during the run.' },
    expires_at: { type: types.string, computed: true, description: 'When the key expires unless renewed (RFC 3339).' },
    effective_scopes: {
      type: stringSet,
      computed: true,
      description: "The concrete scopes the key grants: preset and scopes expanded, within its owner's role.",
    },
  },
  atMostOneOf: ONE_CONSTRAINT,
};
