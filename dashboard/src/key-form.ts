/**
 * The Create API key form's rules, pure: the TTL choices, which scopes the signed-in key may grant
 * (and why not), IP allowlist checks and where an API error belongs. Every rule that the server
 * also enforces is imported from @managed-dev/contract, the package the server uses, so the form and the API never
 * disagree.
 */
import {
  DEFAULT_TTL,
  PRESETS,
  SCOPE_DEFINITIONS,
  checkAllowlist,
  expandScopes,
  grantedScopes,
  isRole,
  parseTtl,
  roleCeiling,
  type AllowlistProblem,
} from '@managed-dev/contract';

export { DEFAULT_TTL };

export interface TtlChoice {
  readonly value: string;
  readonly label: string;
}

/** Shortest first; the longest is the API's maximum, one year. */
export const TTL_CHOICES: readonly TtlChoice[] = [
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '180d', label: '180 days' },
  { value: '365d', label: '1 year' },
].filter((choice) => parseTtl(choice.value).ok);

export const SCOPES = SCOPE_DEFINITIONS;
export const ORDINARY_SCOPES = SCOPE_DEFINITIONS.filter((scope) => !scope.dangerous);
export const DANGEROUS_SCOPES = SCOPE_DEFINITIONS.filter((scope) => scope.dangerous);

export interface PresetChip {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly scopes: readonly string[];
}

const PRESET_LABELS: Readonly<Record<string, string>> = {
  'read-only': 'Read-only',
  'deploy-bot': 'Deploy bot',
  'ci-terraform': 'CI/Terraform',
  observability: 'Observability',
  'wp-automation': 'WP automation',
};

export const PRESET_CHIPS: readonly PresetChip[] = Object.entries(PRESETS).map(([name, preset]) => ({
  name,
  label: PRESET_LABELS[name] ?? name,
  description: preset.description,
  scopes: expandScopes(preset.scopes),
}));

export interface Grantability {
  readonly grantable: boolean;
  /** Why not, in words, when not grantable. */
  readonly reason?: string;
}

export interface Signer {
  readonly keyName: string;
  readonly role: string;
  readonly preset: string | null;
  readonly scopes: readonly string[];
  readonly effectiveScopes: readonly string[];
}

/**
 * What the signed-in key may put into a new key (SPEC minting rule): its own scopes ∩ its
 * principal's role ceiling, i.e. whoami's effective scopes. The reason names the limit that bites.
 */
export function grantabilityOf(scope: string, signer: Signer): Grantability {
  if (expandScopes(signer.effectiveScopes).includes(scope)) return { grantable: true };
  if (isRole(signer.role) && !roleCeiling(signer.role).includes(scope)) {
    return { grantable: false, reason: `Your role (${signer.role}) cannot grant ${scope}.` };
  }
  if (!grantedScopes(signer.preset, signer.scopes).includes(scope)) {
    return { grantable: false, reason: `The key you signed in with (${signer.keyName}) does not hold ${scope}.` };
  }
  return { grantable: false, reason: `You cannot grant ${scope}.` };
}

export interface LineProblem {
  readonly line: number;
  readonly message: string;
  readonly suggestion?: string;
}

/** The allowlist text as entries: one CIDR per line, blank lines ignored. */
export function allowlistEntries(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The server's own CIDR rules, reported by line number of the textarea. */
export function allowlistProblems(text: string): LineProblem[] {
  const lineOfEntry: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() !== '') lineOfEntry.push(index + 1);
  });
  return checkAllowlist(allowlistEntries(text)).map((problem: AllowlistProblem) => ({
    line: lineOfEntry[problem.index] ?? lineOfEntry.length,
    message: problem.message,
    ...(problem.suggestion ? { suggestion: problem.suggestion } : {}),
  }));
}

export type FormField = 'name' | 'ttl' | 'scopes' | 'constraint' | 'ip_allowlist' | 'form';

/** The form field an API error's JSON pointer names ("/scopes/2" → scopes). */
export function fieldOfPointer(pointer: string | undefined): FormField {
  const top = (pointer ?? '').split('/')[1] ?? '';
  switch (top) {
    case 'name':
    case 'ttl':
    case 'constraint':
    case 'ip_allowlist':
      return top;
    case 'scopes':
    case 'preset':
      return 'scopes';
    default:
      return 'form';
  }
}
