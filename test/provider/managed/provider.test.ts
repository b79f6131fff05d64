import { Diagnostics, isUnknown, unknown } from '../../../provider/src/framework';
import { createManagedProvider } from '../../../provider/src/managed/provider';

const signal = new AbortController().signal;

async function configure(config: Record<string, unknown>, env: Record<string, string | undefined>) {
  const diagnostics = new Diagnostics();
  const context = await createManagedProvider(env).configure({ config: { endpoint: null, token: null, ...config } as never, terraformVersion: '1.11.4', diagnostics });
  return { context, diagnostics };
}

describe('managed provider configuration', () => {
  it('falls back to MANAGED_ENDPOINT and MANAGED_TOKEN', async () => {
    const { context, diagnostics } = await configure({}, { MANAGED_ENDPOINT: 'http://127.0.0.1:9/v1', MANAGED_TOKEN: 'mdk_x' });
    expect(diagnostics.items).toEqual([]);
    expect(context.api(signal).endpoint).toBe('http://127.0.0.1:9');
  });

  it('prefers the provider block over the environment', async () => {
    const { context } = await configure({ endpoint: 'https://api.example.test' }, { MANAGED_ENDPOINT: 'http://127.0.0.1:9', MANAGED_TOKEN: 'mdk_x' });
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

  it('validates the endpoint and token shape on their attributes', async () => {
    const diagnostics = new Diagnostics();
    await createManagedProvider({}).validateConfig!({ config: { endpoint: 'ftp://x', token: 'ghp_abc' }, diagnostics });
    expect(diagnostics.items.map((d) => [d.summary, d.path?.toString()])).toEqual([
      ['Invalid endpoint', 'endpoint'],
      ['Invalid token', 'token'],
    ]);
  });
});
