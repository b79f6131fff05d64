/** Request and response bodies of the key API (SPEC §5.1), as the provider uses them. */

export type KeyConstraint = { team_id: string } | { project_id: string } | { site_id: string };

export type KeyStatus = 'active' | 'expired' | 'revoked';

export interface KeyRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly preset: string | null;
  readonly scopes: readonly string[];
  readonly effective_scopes: readonly string[];
  readonly constraint: Partial<Record<'team_id' | 'project_id' | 'site_id', string>> | null;
  readonly ip_allowlist: readonly string[] | null;
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

export interface CreateKeyBody {
  name: string;
  description?: string;
  preset?: string;
  scopes?: string[];
  constraint?: KeyConstraint;
  ip_allowlist?: string[];
  ttl?: string;
}

/** PATCH body: only the fields that change. TTL and constraint never change (SPEC §5.1). */
export interface UpdateKeyBody {
  name?: string;
  description?: string | null;
  preset?: string | null;
  scopes?: string[] | null;
  ip_allowlist?: string[] | null;
}

export interface ScopeEntry {
  readonly name: string;
  readonly description: string;
  readonly dangerous: boolean;
}

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
