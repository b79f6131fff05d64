import { Diagnostics } from '../../../provider/src/framework';
import { addApiFailure, attributeForPointer, failWithApiFailure } from '../../../provider/src/managed/api-diagnostics';
import { ApiError, ApiUnreachableError, parseProblem } from '../../../provider/src/managed/client/problem';

describe('attributeForPointer', () => {
  it('maps request-body pointers to resource attributes', () => {
    expect(attributeForPointer('/scopes/3')).toBe('scopes');
    expect(attributeForPointer('/ip_allowlist/0')).toBe('ip_allowlist');
    expect(attributeForPointer('/constraint/site_id')).toBe('site_id');
    expect(attributeForPointer('/ttl')).toBe('ttl');
    expect(attributeForPointer('/constraint')).toBeUndefined();
    expect(attributeForPointer('/principal_id')).toBeUndefined();
    expect(attributeForPointer('')).toBeUndefined();
  });
});

describe('addApiFailure', () => {
  it('puts each field error on its attribute, quoting the API', () => {
    const diagnostics = new Diagnostics();
    const error = new ApiError('POST', '/v1/keys', {
      title: 'Insufficient scope',
      status: 403,
      detail: 'scopes beyond the ceiling of role member',
      errors: [{ pointer: '/scopes/0', detail: 'keys:write is beyond your role' }],
    });
    addApiFailure(diagnostics, 'create the API key "x"', error);
    expect(diagnostics.items).toHaveLength(1);
    const [diagnostic] = diagnostics.items;
    expect(diagnostic).toMatchObject({ severity: 'error', summary: 'Could not create the API key "x": Insufficient scope (HTTP 403)' });
    expect(diagnostic!.detail).toContain('keys:write is beyond your role');
    expect(diagnostic!.detail).toContain('scopes beyond the ceiling of role member');
    expect(diagnostic!.path?.toString()).toBe('scopes');
  });

  it('explains a 401 and an unreachable endpoint', () => {
    const diagnostics = new Diagnostics();
    addApiFailure(
      diagnostics,
      'read API key key_1',
      new ApiError('GET', '/v1/keys/key_1', { title: 'Unauthorized', status: 401, detail: 'invalid_token', errors: [] }),
    );
    addApiFailure(diagnostics, 'read API key key_1', new ApiUnreachableError('GET', 'http://127.0.0.1:1/v1/keys/key_1', 6, new Error('connect ECONNREFUSED')));
    expect(diagnostics.items[0]!.detail).toMatch(/invalid_token[\s\S]*MANAGED_TOKEN/);
    expect(diagnostics.items[1]).toMatchObject({ summary: 'Could not read API key key_1: the managed.dev API is unreachable' });
    expect(diagnostics.items[1]!.detail).toContain('after 6 attempts');
  });

  it('chooses its hint by the problem code, never by the type URL', () => {
    const hintFor = (problem: ConstructorParameters<typeof ApiError>[2]) => {
      const diagnostics = new Diagnostics();
      addApiFailure(diagnostics, 'create the API key', new ApiError('POST', '/v1/keys', problem));
      return diagnostics.items[0]!.detail;
    };
    const base = { title: 'Forbidden', status: 403, errors: [] };
    expect(hintFor({ ...base, code: 'ip_not_allowed', type: 'https://proxy.example/denied' })).toMatch(/IP allowlist/);
    expect(hintFor({ ...base, code: 'scope_escalation' })).toMatch(/never exceeds the key that mints it/);
    // A URL that merely contains a code's name (a proxy's page, say) is not that problem.
    expect(hintFor({ ...base, type: 'https://managed.dev/problems/ip_not_allowed' })).toMatch(/lacks a scope/);
  });

  it('reads `code` only when it is a catalog code', () => {
    expect(parseProblem(403, 'Forbidden', 'application/problem+json', JSON.stringify({ title: 'x', code: 'ip_not_allowed' })).code).toBe('ip_not_allowed');
    expect(parseProblem(403, 'Forbidden', 'application/json', JSON.stringify({ title: 'x', code: 'made_up' })).code).toBeUndefined();
  });

  it('rethrows what is not an API failure', () => {
    expect(() => addApiFailure(new Diagnostics(), 'x', new TypeError('bug'))).toThrow(TypeError);
  });

  it('throws the last diagnostic so a failed create carries no state', () => {
    const diagnostics = new Diagnostics();
    const error = new ApiError('POST', '/v1/keys', {
      title: 'Invalid',
      status: 400,
      errors: [
        { pointer: '/ttl', detail: 'bad ttl' },
        { pointer: '/name', detail: 'bad name' },
      ],
    });
    expect(() => failWithApiFailure(diagnostics, 'create', error)).toThrow(expect.objectContaining({ name: 'DiagnosticError', detail: 'bad name' }));
    expect(diagnostics.items.map((d) => d.path?.toString())).toEqual(['ttl']);
  });
});
