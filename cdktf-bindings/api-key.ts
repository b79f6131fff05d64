/**
 * The hand-written L2 construct over the generated `managed_api_key` resource: typed scopes and
 * presets, one constraint at most, and the secret published as a sensitive output, so nobody
 * has to remember `sensitive: true` (the generated bindings carry no sensitivity information).
 */
import { Construct } from 'constructs';
import { TerraformOutput, TerraformProvider, TerraformStack, Token } from 'cdktf';
import { ApiKey as ApiKeyResource } from './generated/cdktf/providers/managed/api-key';
import { PRESET_SCOPES, Preset, Scope } from './generated/scopes';
import { checkAllowlist, checkScopes } from '@managed-dev/contract';
import { ApiKeyConstraint } from './constraint';
import { ttlProblem } from './ttl';
import { DEFAULT_TTL, parseDuration, parseGracePeriod, parseTtl } from '@managed-dev/contract';

/** Rotation as code (provider arguments rotation_trigger, rotation_grace_period, rotate_before_expiry). */
export interface ApiKeyRotation {
  /** Any string; changing it rotates the key in place (same id, new secret, expires_at renewed to now + ttl). */
  readonly trigger?: string;
  /** How long the previous secret keeps working after a rotation: "0" (default) up to "7d"; units s, m, h, d. */
  readonly gracePeriod?: string;
  /** A duration shorter than the ttl, such as "7d": a plan inside this window before expiry rotates the key in place. */
  readonly rotateBeforeExpiry?: string;
}

export interface ApiKeyProps {
  /** Human-readable name, shown in the key list and the audit log. */
  readonly name: string;
  readonly description?: string;
  /** A named bundle of scopes; combined with `scopes` when both are given. */
  readonly preset?: Preset;
  /** Scopes of the catalog; a misspelt scope does not compile. */
  readonly scopes?: readonly Scope[];
  /** At most one of team, project or site; see `Constraint`. Changing it replaces the key. */
  readonly constraint?: ApiKeyConstraint;
  /** IPv4/IPv6 CIDRs in canonical form (at most 32); requests from elsewhere get 403. */
  readonly ipAllowlist?: readonly string[];
  /** Lifetime such as "90d" (see `Ttl`); 1h to 365d, 90d when left out. Changing it replaces the key. */
  readonly ttl?: string;
  /** Rotation as code; see `ApiKeyRotation`. */
  readonly rotation?: ApiKeyRotation;
  /** The provider instance to use, when the stack configures more than one. */
  readonly provider?: TerraformProvider;
}

// Terraform identifiers: the output is named `<id>_secret` and the resource `<id>`.
const TERRAFORM_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const CONSTRAINT_KEYS = ['teamId', 'projectId', 'siteId'] as const;

// Per stack, which construct path claimed each resource/output name: two ApiKeys with the same id
// under different parents would otherwise overwrite each other's output silently at synth.
const claimedNames = new WeakMap<TerraformStack, Map<string, string>>();

export class ApiKey extends Construct {
  /** The generated L1 resource, for anything the construct does not expose. */
  readonly resource: ApiKeyResource;
  /** The sensitive output `<id>_secret` carrying the secret. */
  readonly secretOutput: TerraformOutput;

  constructor(scope: Construct, id: string, props: ApiKeyProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`ApiKey "${this.node.path}": ${message}`);
    };
    if (!TERRAFORM_IDENTIFIER.test(id)) {
      fail(
        `the id must be a Terraform identifier (letters, digits, "_" and "-", not starting with a digit or "-"), because it names the resource and the output "${id}_secret"`,
      );
    }
    validateProps(props, fail);
    claimName(TerraformStack.of(this), id, this.node.path, fail);

    const constraint: Partial<Record<(typeof CONSTRAINT_KEYS)[number], string>> = props.constraint ?? {};
    this.resource = new ApiKeyResource(this, 'resource', {
      name: props.name,
      description: props.description,
      preset: props.preset,
      scopes: props.scopes ? [...props.scopes] : undefined,
      teamId: constraint.teamId,
      projectId: constraint.projectId,
      siteId: constraint.siteId,
      ipAllowlist: props.ipAllowlist ? [...props.ipAllowlist] : undefined,
      ttl: props.ttl,
      rotationTrigger: props.rotation?.trigger,
      rotationGracePeriod: props.rotation?.gracePeriod,
      rotateBeforeExpiry: props.rotation?.rotateBeforeExpiry,
      provider: props.provider,
    });
    // Stable, readable addresses: `managed_api_key.<id>` for `terraform import`, `<id>_secret` for the output.
    this.resource.overrideLogicalId(id);

    this.secretOutput = new TerraformOutput(this, 'secret', {
      value: this.resource.secret,
      sensitive: true,
      description: `Secret of the API key "${props.name}" (known after apply; shown once by the API).`,
    });
    this.secretOutput.overrideLogicalId(`${id}_secret`);
  }

  /** The key id (`key_...`), known after apply. */
  get id(): string {
    return this.resource.id;
  }

  /** The secret (`mdk_...`), known after apply. Sensitive. */
  get secret(): string {
    return this.resource.secret;
  }

  /** When the key stops working (RFC 3339). */
  get expiresAt(): string {
    return this.resource.expiresAt;
  }

  /** Every concrete scope the key grants: the preset's and its own, expanded. */
  get effectiveScopes(): string[] {
    return this.resource.effectiveScopes;
  }
}

/**
 * Checks what the type system cannot (TTL grammar and range, CIDRs, empty strings) and what a
 * JavaScript caller or a cast can still get wrong (two constraints, unknown scopes or presets).
 * Values that are tokens (variables, references) are left for the provider to check at plan time.
 */
function validateProps(props: ApiKeyProps, fail: (message: string) => never): void {
  if (typeof props.name !== 'string' || (!Token.isUnresolved(props.name) && props.name.trim() === '')) {
    fail('name must be a non-empty string');
  }

  const hasScopes = props.scopes !== undefined && (Token.isUnresolved(props.scopes) || props.scopes.length > 0);
  if (props.preset === undefined && !hasScopes) {
    fail(`give a preset, scopes, or both; presets are ${Object.keys(PRESET_SCOPES).join(', ')}`);
  }
  if (props.preset !== undefined && !Token.isUnresolved(props.preset) && !Object.prototype.hasOwnProperty.call(PRESET_SCOPES, props.preset)) {
    fail(`unknown preset "${props.preset}"; presets are ${Object.keys(PRESET_SCOPES).join(', ')}`);
  }
  if (props.scopes !== undefined && !Token.isUnresolved(props.scopes)) {
    const problems = checkScopes(props.scopes.filter((scope) => !Token.isUnresolved(scope)));
    if (problems.length > 0) fail(`scopes: ${problems.map((problem) => problem.message).join('; ')}`);
  }

  if (props.constraint !== undefined) {
    const given = CONSTRAINT_KEYS.filter((key) => props.constraint![key] !== undefined);
    if (given.length > 1) {
      fail(`a key takes at most one constraint, got ${given.join(' and ')}; pick one of Constraint.team(), Constraint.project() or Constraint.site()`);
    }
    if (given.length === 0) fail('constraint is empty: give teamId, projectId or siteId, or leave constraint out');
    const value = props.constraint[given[0]!];
    if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.trim() === '')) {
      fail(`constraint ${given[0]} must be a non-empty string`);
    }
  }

  if (props.ipAllowlist !== undefined && !Token.isUnresolved(props.ipAllowlist)) {
    const problems = checkAllowlist(props.ipAllowlist.filter((entry) => !Token.isUnresolved(entry)));
    if (problems.length > 0) fail(`ipAllowlist: ${problems.map((problem) => problem.message).join('; ')}`);
  }

  if (props.ttl !== undefined && !Token.isUnresolved(props.ttl)) {
    const problem = ttlProblem(props.ttl);
    if (problem) fail(`ttl: ${problem}`);
  }

  const rotation = props.rotation ?? {};
  if (rotation.gracePeriod !== undefined && !Token.isUnresolved(rotation.gracePeriod)) {
    const grace = parseGracePeriod(rotation.gracePeriod);
    if (!grace.ok) fail(`rotation.gracePeriod: ${grace.message}`);
  }
  if (rotation.rotateBeforeExpiry !== undefined && !Token.isUnresolved(rotation.rotateBeforeExpiry)) {
    const window = parseDuration(rotation.rotateBeforeExpiry);
    if (!window.ok) fail(`rotation.rotateBeforeExpiry: ${window.message}`);
    const ttlText = props.ttl ?? DEFAULT_TTL;
    const ttl = Token.isUnresolved(ttlText) ? undefined : parseTtl(ttlText);
    if (window.ok && ttl?.ok && window.milliseconds >= ttl.milliseconds) {
      fail(`rotation.rotateBeforeExpiry "${rotation.rotateBeforeExpiry}" must be shorter than the ttl "${ttlText}", or every plan would rotate the key`);
    }
  }
}

function claimName(stack: TerraformStack, name: string, path: string, fail: (message: string) => never): void {
  let names = claimedNames.get(stack);
  if (!names) claimedNames.set(stack, (names = new Map()));
  const holder = names.get(name);
  if (holder !== undefined) {
    fail(`another ApiKey ("${holder}") in this stack already has the id "${name}"; the resource and its output "${name}_secret" need a unique id per stack`);
  }
  names.set(name, path);
}
