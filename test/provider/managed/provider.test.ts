import { Diagnostics, isUnknown, unknown } from '../../../provider/src/framework';
import { createManagedProvider, tokenProblem } from '../../../provider/src/managed/provider';
import { generateSecret } from '@managed-dev/contract';

const validToken = generateSecret();

const signal = new AbortController().signal;

async function configure(config: Record<string, unknown>, env: Record<string, string | undefined>) {
  const diagnostics = new Diagnostics();
  const context = await createManagedProvider(env).configure({
    config: { endpoint: null, token: null, ...config } as never,
    terraformVersion: '1.11.4',
    diagnostics,
  });
  return { context, diagnostics };
}

describe('managed provider configuration', () => {
  it('falls back to MANAGED_ENDPOINT and MANAGED_TOKEN', async () => {
    const { context, diagnostics } = await configure({}, { MANAGED_ENDPOINT: 'http://127.0.0.1:9/v1', MANAGED_TOKEN: validToken });
    expect(diagnostics.items).toEqual([]);
    expect(context.api(signal).endpoint).toBe('http://127.0.0.1:9');
  });

  it('prefers the provider block over the environment', async () => {
    const { context } = await configure({ endpoint: 'https://api.example.test' }, { MANAGED_ENDPOINT: 'http://127.0.0.1:9', MANAGED_TOKEN: validToken });
    expect(context.api(signal).endpoint).toBe('https://api.example.test');
  });

  it('names what is missing, on the attribute', async () => {
    const { context, diagnostics } = await configure({}, {});
    expect(diagnostics.items.map((d) => [d.summary, d.path?.toString()])).toEqual([
      ['Missing endpoint', 'endpoint'],
      ['Missing token', 'token'],
    ]);
    expect(() => context.api(signal)).toThrow(/not configured/);
  });

  it('defers to apply when the configuration is unknown at plan time', async () => {
    const { context, diagnostics } = await configure({ token: unknown }, { MANAGED_ENDPOINT: 'http://127.0.0.1:9' });
    expect(diagnostics.items).toEqual([]);
    expect(() => context.api(signal)).toThrow(/known only after apply/);
    expect(isUnknown(unknown)).toBe(true);
  });

  it('refuses a malformed MANAGED_TOKEN on the provider block, naming the variable and at most 8 characters', async () => {
    const { context, diagnostics } = await configure({}, { MANAGED_ENDPOINT: 'http://127.0.0.1:9', MANAGED_TOKEN: 'mdk_abc' });
    expect(diagnostics.items).toEqual([
      {
        severity: 'error',
        summary: 'Invalid token in MANAGED_TOKEN',
        detail:
          'The token "mdk_abc" (7 characters) from the MANAGED_TOKEN environment variable is not a managed.dev API key: ' +
          'managed.dev API keys are "mdk_" followed by 46 letters and digits. Copy the whole key again.',
      },
    ]);
    expect(() => context.api(signal)).toThrow(/not configured/);
  });

  it('tells a checksum mismatch apart from a bad shape, and never shows more than 8 characters', () => {
    const mistyped = validToken.slice(0, 10) + (validToken[10] === 'a' ? 'b' : 'a') + validToken.slice(11);
    const problem = tokenProblem(mistyped, 'somewhere')!;
    expect(problem).toContain('its checksum does not match');
    expect(problem).toContain(`"${mistyped.slice(0, 8)}…" (50 characters)`);
    expect(problem).not.toContain(mistyped.slice(0, 9));
    expect(tokenProblem(validToken, 'somewhere')).toBeUndefined();
  });

  it('validates the endpoint and token shape on their attributes', async () => {
    const diagnostics = new Diagnostics();
    await createManagedProvider({}).validateConfig!({ config: { endpoint: 'ftp://x', token: 'ghp_abc' }, diagnostics });
    expect(diagnostics.items.map((d) => [d.summary, d.path?.toString()])).toEqual([
      ['Invalid endpoint', 'endpoint'],
      ['Invalid token', 'token'],
    ]);
  });
});
