/**
 * Turns API failures into Terraform diagnostics that quote the API's own words and, when the
 * problem names a field of the request (`errors[].pointer`), point at the attribute's line.
 */
import { AttributePath, DiagnosticError, Diagnostics } from '../framework';
import { ApiError, ApiUnreachableError } from './client/problem';

/** JSON pointer into a key request body → the resource attribute it came from. */
export function attributeForPointer(pointer: string | undefined): string | undefined {
  if (!pointer) return undefined;
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const [first, second] = segments;
  if (first === 'constraint') return second === 'team_id' || second === 'project_id' || second === 'site_id' ? second : undefined;
  const attributes = ['name', 'description', 'preset', 'scopes', 'ip_allowlist', 'ttl'];
  return first !== undefined && attributes.includes(first) ? first : undefined;
}

function hintFor(error: ApiError): string | undefined {
  switch (error.status) {
    case 401:
      return error.credentialSource
        ? `The token came from ${error.credentialSource}; the control plane does not accept it: it is mistyped, revoked or expired, or belongs to another control plane. Set a valid key there.`
        : "Check the provider's token (or MANAGED_TOKEN): it is missing, mistyped, revoked or expired.";
    case 403: {
      const { code } = error.problem;
      if (code === 'ip_not_allowed') return "The provider's token is not allowed from this machine's address (its IP allowlist).";
      if (code === 'scope_escalation') {
        return "A key never exceeds the key that mints it (the provider's token) nor its principal's role: use a token that holds these scopes and reaches this constraint, or ask for less.";
      }
      return "The provider's token lacks a scope this needs (keys:read to read keys, keys:write to change them).";
    }
    default:
      return undefined;
  }
}

/**
 * Adds one diagnostic per field error (on its attribute) or one for the whole problem.
 * `action` completes "Could not …", e.g. "create the API key".
 */
export function addApiFailure(diagnostics: Diagnostics, action: string, error: unknown): void {
  if (error instanceof ApiUnreachableError) {
    diagnostics.error(
      `Could not ${action}: the managed.dev API is unreachable`,
      `${error.message}. Check the provider's endpoint (or MANAGED_ENDPOINT) and the network.`,
    );
    return;
  }
  if (!(error instanceof ApiError)) throw error;
  const { problem } = error;
  const summary = `Could not ${action}: ${problem.title} (HTTP ${problem.status})`;
  const hint = hintFor(error);
  if (problem.errors.length === 0) {
    diagnostics.error(summary, [problem.detail, hint].filter(Boolean).join('\n\n') || `${error.method} ${error.path} failed.`);
    return;
  }
  for (const fieldError of problem.errors) {
    const attribute = attributeForPointer(fieldError.pointer);
    // The problem's detail often just lists the field errors again; quote it only when it adds something.
    const overall = problem.detail && !problem.detail.includes(fieldError.detail) ? `(${problem.detail})` : undefined;
    const detail = [fieldError.detail, overall, hint].filter(Boolean).join('\n\n');
    diagnostics.error(summary, detail, attribute ? AttributePath.root(attribute) : undefined);
  }
}

/**
 * For a failed create: the response must carry no new state (a planned object still holding
 * unknowns cannot be saved), which the framework does when the operation throws. All but the
 * last diagnostic are added; the last one is thrown.
 */
export function failWithApiFailure(diagnostics: Diagnostics, action: string, error: unknown): never {
  const collected = new Diagnostics();
  addApiFailure(collected, action, error);
  const last = collected.items.pop();
  diagnostics.add(...collected.items);
  if (!last) throw error;
  throw new DiagnosticError(last.summary, last.detail, last.path);
}
