/**
 * The key API's request and response bodies as they travel on the wire (docs/guides/api.md). The
 * control plane produces these shapes and the provider and the bindings consume them: one
 * definition, so a field added on one side is a compile error on the other. Request bodies are
 * generated from their JSON Schemas (generated/requests.ts).
 */
import type { KeyCreate, KeyUpdate } from './generated/requests';

export const KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** A key's constraint exactly as the API and the database spell it: one node of the tree. */
export type KeyConstraint = { readonly team_id: string } | { readonly project_id: string } | { readonly site_id: string };

/** The kinds of node a constraint can name, in the order the tree nests them. */
export const CONSTRAINT_FIELDS = ['team_id', 'project_id', 'site_id'] as const;
export type ConstraintField = (typeof CONSTRAINT_FIELDS)[number];

/** The key record: every read, list, update and revoke answers this. */
export interface KeyRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly preset: string | null;
  /** Exactly as given by the client, sorted and de-duplicated. */
  readonly scopes: readonly string[];
  /** Preset and patterns expanded, cut to the owning principal's current role ceiling. */
  readonly effective_scopes: readonly string[];
  readonly constraint: KeyConstraint | null;
  readonly ip_allowlist: readonly string[];
  /** The lifetime as minted ("90d"); rotation (and renewal of an ephemeral key) set expires_at to now + ttl. */
  readonly ttl: string;
  /** Minted for one Terraform run (`ephemeral "managed_api_key"`): ttl 5m–24h, renewable. */
  readonly ephemeral: boolean;
  readonly status: KeyStatus;
  readonly principal_id: string;
  readonly created_by: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
  readonly last_used_ip: string | null;
}

/** Create and rotate responses: the record plus the secret, shown exactly once. */
export interface MintedKey extends KeyRecord {
  readonly secret: string;
}

/** POST /v1/keys body: generated from schema/key-create.schema.json. */
export type CreateKeyBody = KeyCreate;

/** PATCH body: only the fields that change. TTL and constraint never change (mint a new key). */
export type UpdateKeyBody = KeyUpdate;

export interface ScopeEntry {
  readonly name: string;
  readonly description: string;
  readonly dangerous: boolean;
}

/** One preset as a list entry (`GET /v1/presets` answers them as a map from name to the rest). */
export interface PresetEntry {
  readonly name: string;
  readonly description?: string;
  readonly scopes: readonly string[];
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}

export interface Whoami {
  readonly principal_id?: string;
  readonly role?: string;
  readonly key_id?: string;
  readonly scopes?: readonly string[];
  readonly effective_scopes?: readonly string[];
  readonly [field: string]: unknown;
}

/** The id a constraint names for one kind of node, or null when it names another kind (or none). */
export function constraintId(constraint: KeyConstraint | null | undefined, field: ConstraintField): string | null {
  if (!constraint || !(field in constraint)) return null;
  return (constraint as Readonly<Record<ConstraintField, string>>)[field];
}
