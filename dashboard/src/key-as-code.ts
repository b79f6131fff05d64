/**
 * The hand-over: a key made in the dashboard, written as code that adopts it. Terraform gets a
 * `managed_api_key` resource plus an `import` block naming the key's id; CDKTF gets an `ApiKey`
 * construct whose resource is imported from the same id. The attributes are exactly what was sent
 * to the API (TTL spelled as chosen, lists sorted as the server stores them), so the first plan
 * after the import shows no change.
 */
export interface KeyAsCodeInput {
  readonly id: string;
  readonly name: string;
  readonly ttl: string;
  readonly preset: string | null;
  readonly scopes: readonly string[];
  readonly constraint: { team_id: string } | { project_id: string } | { site_id: string } | null;
  readonly ipAllowlist: readonly string[];
}

/** A Terraform/CDKTF identifier from the key's name: letters, digits and underscores, not starting with a digit. */
export function resourceName(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const base = words === '' ? 'api_key' : words;
  return /^[a-z_]/.test(base) ? base.slice(0, 64) : `key_${base}`.slice(0, 64);
}

/** A string literal valid in both HCL and TypeScript (JSON escaping; HCL also needs ${ and %{ escaped). */
function hclString(value: string): string {
  // Replacement functions, not strings: in a replacement string "$$" would mean one "$".
  return JSON.stringify(value)
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
}

function tsString(value: string): string {
  return JSON.stringify(value);
}

const sorted = (list: readonly string[]) => [...new Set(list)].sort();

function constraintAttribute(constraint: KeyAsCodeInput['constraint']): [string, string] | undefined {
  if (!constraint) return undefined;
  if ('team_id' in constraint) return ['team_id', constraint.team_id];
  if ('project_id' in constraint) return ['project_id', constraint.project_id];
  return ['site_id', constraint.site_id];
}

export function terraformSnippet(key: KeyAsCodeInput): string {
  const address = `managed_api_key.${resourceName(key.name)}`;
  const attributes: Array<[string, string]> = [['name', hclString(key.name)]];
  if (key.preset) attributes.push(['preset', hclString(key.preset)]);
  if (key.scopes.length > 0) attributes.push(['scopes', `[${sorted(key.scopes).map(hclString).join(', ')}]`]);
  const constraint = constraintAttribute(key.constraint);
  if (constraint) attributes.push([constraint[0], hclString(constraint[1])]);
  if (key.ipAllowlist.length > 0) attributes.push(['ip_allowlist', `[${sorted(key.ipAllowlist).map(hclString).join(', ')}]`]);
  attributes.push(['ttl', hclString(key.ttl)]);
  const width = Math.max(...attributes.map(([name]) => name.length));
  return [
    'terraform {',
    '  required_providers {',
    '    managed = { source = "managed-dev/managed" }',
    '  }',
    '}',
    '',
    `resource "managed_api_key" "${resourceName(key.name)}" {`,
    ...attributes.map(([name, value]) => `  ${name.padEnd(width)} = ${value}`),
    '}',
    '',
    '# Adopts the key created in the dashboard instead of minting a new one.',
    'import {',
    `  to = ${address}`,
    `  id = ${hclString(key.id)}`,
    '}',
    '',
  ].join('\n');
}

function cdktfTtl(ttl: string): string {
  const match = /^(\d+)([mhd])$/.exec(ttl);
  if (!match) return tsString(ttl);
  const method = { m: 'minutes', h: 'hours', d: 'days' }[match[2] as 'm' | 'h' | 'd'];
  return `Ttl.${method}(${Number(match[1])})`;
}

export function cdktfSnippet(key: KeyAsCodeInput): string {
  const id = resourceName(key.name);
  const props: string[] = [`  name: ${tsString(key.name)},`];
  if (key.preset) props.push(`  preset: ${tsString(key.preset)},`);
  if (key.scopes.length > 0) props.push(`  scopes: [${sorted(key.scopes).map(tsString).join(', ')}],`);
  const constraint = constraintAttribute(key.constraint);
  if (constraint) {
    const kind = { team_id: 'team', project_id: 'project', site_id: 'site' }[constraint[0] as 'team_id' | 'project_id' | 'site_id'];
    props.push(`  constraint: Constraint.${kind}(${tsString(constraint[1])}),`);
  }
  if (key.ipAllowlist.length > 0) props.push(`  ipAllowlist: [${sorted(key.ipAllowlist).map(tsString).join(', ')}],`);
  props.push(`  ttl: ${cdktfTtl(key.ttl)},`);
  const usesConstraint = constraint !== undefined;
  return [
    `import { ApiKey, ${usesConstraint ? 'Constraint, ' : ''}Ttl } from './cdktf-bindings';`,
    '',
    `const ${toCamel(id)} = new ApiKey(stack, ${tsString(id)}, {`,
    ...props,
    '});',
    '// Adopts the key created in the dashboard instead of minting a new one.',
    `${toCamel(id)}.resource.importFrom(${tsString(key.id)});`,
    '',
  ].join('\n');
}

function toCamel(identifier: string): string {
  return identifier.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
