import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerCertificate } from '../../../../provider/src/framework/plugin/certificate';
import {
  DEFER_EXTRA_CA_CERTS_SHELL_LINES,
  DEFERRED_EXTRA_CA_CERTS_VARIABLE,
  deferredExtraCaCertificates,
} from '../../../../provider/src/framework/plugin/extra-ca-certificates';
import { launcherScript as mirrorLauncherScript } from '../../../../provider/scripts/bundle';
import { LAUNCHED_BUNDLE_NAME, launcherScript as releaseLauncherScript } from '../../../../scripts/release/provider-packages';
import { sendRequest } from '../../../../provider/src/managed/client/transport';
import { REPOSITORY_ROOT } from '../../../support/terraform';

const directory = mkdtempSync(join(tmpdir(), 'extra-ca-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs a launcher whose "bundle" prints the two variables node sees. */
function environmentSeenThrough(launcher: string, env: NodeJS.ProcessEnv): Promise<{ extra?: string; deferred?: string }> {
  return new Promise((resolve, reject) => {
    execFile(launcher, [], { env }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as { extra?: string; deferred?: string })));
  });
}

const PRINT_ENVIRONMENT = `process.stdout.write(JSON.stringify({ extra: process.env.NODE_EXTRA_CA_CERTS, deferred: process.env.${DEFERRED_EXTRA_CA_CERTS_VARIABLE} }));\n`;

describe('NODE_EXTRA_CA_CERTS is deferred by every launcher', () => {
  const launchers: Array<[string, () => string]> = [
    [
      'the filesystem-mirror launcher',
      () => {
        const bundle = join(directory, 'mirror-bundle.js');
        writeFileSync(bundle, PRINT_ENVIRONMENT);
        const launcher = join(directory, 'mirror-launcher');
        writeFileSync(launcher, mirrorLauncherScript(bundle), { mode: 0o755 });
        return launcher;
      },
    ],
    [
      "a release package's launcher",
      () => {
        const packageDir = mkdtempSync(join(directory, 'release-'));
        writeFileSync(join(packageDir, LAUNCHED_BUNDLE_NAME), PRINT_ENVIRONMENT);
        const launcher = join(packageDir, 'terraform-provider-managed_v1.0.0');
        writeFileSync(launcher, releaseLauncherScript('managed', '1.0.0'));
        chmodSync(launcher, 0o755);
        return launcher;
      },
    ],
  ];

  it.each(launchers)('%s hands the file to the provider instead of to node at start-up', async (_name, makeLauncher) => {
    const launcher = makeLauncher();
    const { [DEFERRED_EXTRA_CA_CERTS_VARIABLE]: _ignored, ...inherited } = process.env;
    expect(await environmentSeenThrough(launcher, { ...inherited, NODE_EXTRA_CA_CERTS: '/etc/some-bundle.pem' })).toEqual({
      deferred: '/etc/some-bundle.pem',
    });
    const { NODE_EXTRA_CA_CERTS: _unset, ...withoutExtra } = inherited;
    expect(await environmentSeenThrough(launcher, withoutExtra)).toEqual({});
  });

  it('provider/bin/terraform-provider-managed (dev_overrides) carries the same lines', () => {
    const launcher = readFileSync(join(REPOSITORY_ROOT, 'provider', 'bin', 'terraform-provider-managed'), 'utf8');
    const lines = launcher.split('\n');
    const first = lines.indexOf(DEFER_EXTRA_CA_CERTS_SHELL_LINES[0]!);
    expect(first).toBeGreaterThan(0);
    expect(lines.slice(first, first + DEFER_EXTRA_CA_CERTS_SHELL_LINES.length)).toEqual(DEFER_EXTRA_CA_CERTS_SHELL_LINES);
    expect(lines.findIndex((line) => line.startsWith('exec node'))).toBeGreaterThan(first);
  });
});

describe('the HTTPS client applies the deferred file', () => {
  const certificate = createServerCertificate();
  const certificateFile = join(directory, 'extra.pem');
  writeFileSync(certificateFile, certificate.certificatePem);
  let server: https.Server;
  let url: URL;

  beforeAll(async () => {
    server = https.createServer({ key: certificate.privateKeyPem, cert: certificate.certificatePem }, (_request, response) => response.end('trusted'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`https://localhost:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('trusts the bundled roots plus the file, as node would have', () => {
    const trust = deferredExtraCaCertificates({ [DEFERRED_EXTRA_CA_CERTS_VARIABLE]: certificateFile })!;
    expect(trust.at(-1)).toBe(certificate.certificatePem);
    expect(trust.length).toBeGreaterThan(100);
    expect(deferredExtraCaCertificates({})).toBeUndefined();
  });

  it('warns and keeps the default trust when the file cannot be read', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      expect(deferredExtraCaCertificates({ [DEFERRED_EXTRA_CA_CERTS_VARIABLE]: join(directory, 'missing.pem') })).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(/\[WARN\] ignoring extra CA certificates from NODE_EXTRA_CA_CERTS=.*missing\.pem/);
  });

  it('refuses the self-signed server without the file (the trust comes from the file, not from a lax client)', async () => {
    await expect(
      new Promise((resolve, reject) => https.get(url, { agent: new https.Agent({ ca: deferredExtraCaCertificates({}) }) }, resolve).on('error', reject)),
    ).rejects.toThrow(/self-signed certificate/);
  });

  it("reaches the server through the provider's transport once a launcher deferred the file", async () => {
    process.env[DEFERRED_EXTRA_CA_CERTS_VARIABLE] = certificateFile;
    try {
      const response = await sendRequest({ method: 'GET', url, headers: {}, timeoutMs: 5000 });
      expect([response.status, response.body]).toEqual([200, 'trusted']);
    } finally {
      delete process.env[DEFERRED_EXTRA_CA_CERTS_VARIABLE];
    }
  });
});
