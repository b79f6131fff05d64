/**
 * Typed view of schema/scopes.json, the single source of truth for scopes, presets and role
 * ceilings (compiled into ./generated/catalog.ts). Nothing else in the code base lists scope names.
 */
import { CATALOG } from './generated/catalog';

export interface ScopeDefinition {
  readonly name: string;
  readonly description: string;
  readonly dangerous: boolean;
}

export interface PresetDefinition {
  readonly description: string;
  readonly scopes: readonly string[];
}

export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPE_DEFINITIONS: readonly ScopeDefinition[] = CATALOG.scopes;
export const SCOPE_NAMES: readonly string[] = SCOPE_DEFINITIONS.map((scope) => scope.name);
export const PRESETS: Readonly<Record<string, PresetDefinition>> = CATALOG.presets;
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);
export const ROLE_CEILING_PATTERNS: Readonly<Record<Role, readonly string[]>> = CATALOG.roles;

const dangerousNames = new Set(SCOPE_DEFINITIONS.filter((s) => s.dangerous).map((s) => s.name));
const knownNames = new Set(SCOPE_NAMES);

export function isKnownScope(name: string): boolean {
  return knownNames.has(name);
}

export function isDangerousScope(name: string): boolean {
  return dangerousNames.has(name);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
