import { spawn } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createServerCertificate } from '../../../../provider/src/framework/plugin/certificate';
import {
  handshakeLine,
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
  negotiateProtocolVersion,
  reattachValue,
} from '../../../../provider/src/framework/plugin/handshake';
import { buildFixtureProvider, type BuiltFixture } from '../fixtures/build-fixture';

describe('handshake line and certificate', () => {
  it('formats CORE|APP|NETWORK|ADDR|PROTOCOL|CERT with unpadded base64 DER', () => {
    const certificate = createServerCertificate();
    const line = handshakeLine({ protocolVersion: 6, network: 'unix', address: '/tmp/x/plugin.sock', certificateDer: certificate.der });
    expect(line.endsWith('\n')).toBe(true);
    const fields = line.trimEnd().split('|');
    expect(fields.slice(0, 5)).toEqual(['1', '6', 'unix', '/tmp/x/plugin.sock', 'grpc']);
    expect(fields[5]).not.toMatch(/=/);
    expect(fields[5]).toMatch(/^[A-Za-z0-9+/]+$/);
    expect(Buffer.from(fields[5], 'base64').equals(certificate.der)).toBe(true);
  });

  it('leaves the certificate field empty for plaintext', () => {
    expect(handshakeLine({ protocolVersion: 6, network: 'unix', address: '/s', certificateDer: undefined })).toBe('1|6|unix|/s|grpc|\n');
  });

  it('makes a self-signed P-256 certificate for localhost, valid from the past, for server auth', () => {
    const now = new Date();
    const { der, certificatePem } = createServerCertificate(now);
    const certificate = new X509Certificate(der);
    expect(certificate.subjectAltName).toBe('DNS:localhost');
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(new Date(certificate.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(now.getTime() + 24 * 3600_000);
    expect(certificate.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1']));
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.ca).toBe(true);
    expect(new X509Certificate(certificatePem).fingerprint256).toBe(certificate.fingerprint256);
  });

  it('negotiates protocol 6 whatever order the client lists versions in', () => {
    expect(negotiateProtocolVersion({ PLUGIN_PROTOCOL_VERSIONS: '5,6' })).toBe(6);
    expect(negotiateProtocolVersion({ PLUGIN_PROTOCOL_VERSIONS: '6,5' })).toBe(6);
    expect(() => negotiateProtocolVersion({ PLUGIN_PROTOCOL_VERSIONS: '4,5' })).toThrow('offers only 4, 5');
  });

  it('builds a TF_REATTACH_PROVIDERS value with protocol version 6', () => {
    expect(JSON.parse(reattachValue('example.com/a/b', '/tmp/s.sock', 42))).toEqual({
      'example.com/a/b': { Protocol: 'grpc', ProtocolVersion: 6, Pid: 42, Test: true, Addr: { Network: 'unix', String: '/tmp/s.sock' } },
    });
  });
});

describe('the provider executable', () => {
  let fixture: BuiltFixture;
  beforeAll(async () => {
    fixture = await buildFixtureProvider();
  });
  afterAll(() => rmSync(fixture.directory, { recursive: true, force: true }));

  function launch(env: Record<string, string>, args: string[] = []) {
    const child = spawn(fixture.launcherPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Created on demand so runs that never handshake leave no timer behind.
    const firstLine = () =>
      new Promise<string>((resolve, reject) => {
        const settle = () => {
          clearTimeout(timer);
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
          else reject(new Error(`no handshake line; stderr: ${stderr}`));
        };
        const timer = setTimeout(settle, 20_000);
        if (stdout.includes('\n')) settle();
        child.stdout.on('data', () => stdout.includes('\n') && settle());
        child.on('exit', settle);
      });
    return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
  }

  it('explains itself on stderr and exits 1 when launched by hand', async () => {
    const run = launch({});
    expect(await run.exited).toBe(1);
    expect(run.output().stdout).toBe('');
    expect(run.output().stderr).toContain('This binary is a plugin');
  });

  it('prints only the handshake line on stdout, ignores SIGINT, and removes its socket directory on SIGTERM', async () => {
    const run = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6', TF_LOG_PROVIDER: 'debug' });
    const line = await run.firstLine();
    const [core, app, network, address, protocol, certificate] = line.split('|');
    expect([core, app, network, protocol, certificate]).toEqual(['1', '6', 'unix', 'grpc', '']);
    expect(existsSync(address)).toBe(true);
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(existsSync(address)).toBe(false);
    expect(run.output().stdout).toBe(`${line}\n`);
    expect(run.output().stderr).toContain('[DEBUG] SIGINT ignored');
    expect(
      run
        .output()
        .stderr.split('\n')
        .filter(Boolean)
        .every((logLine) => /^(\[(DEBUG|INFO|WARN|ERROR)\]| {4})/.test(logLine)),
    ).toBe(true);
  });

  it('writes no debug lines unless TF_LOG or TF_LOG_PROVIDER asks for them', async () => {
    const run = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', TF_LOG: '', TF_LOG_PROVIDER: '' });
    await run.firstLine();
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().stderr).not.toContain('[DEBUG]');
  });

  it('honours PLUGIN_UNIX_SOCKET_DIR and refuses a client without protocol 6', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const socketParent = mkdtempSync(join(fixture.directory, 'sockets-'));
    const run = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_UNIX_SOCKET_DIR: socketParent });
    expect((await run.firstLine()).split('|')[3].startsWith(socketParent)).toBe(true);
    run.child.kill('SIGTERM');
    await run.exited;
    const old = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5' });
    expect(await old.exited).toBe(1);
    expect(old.output().stderr).toContain('plugin protocol 6');
  });

  it('prints a reattach value in --debug mode without the magic cookie', async () => {
    const run = launch({}, ['--debug']);
    const deadline = Date.now() + 20_000;
    while (!run.output().stderr.includes('TF_REATTACH_PROVIDERS=') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const match = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(run.output().stderr);
    expect(match).not.toBeNull();
    const reattach = JSON.parse(match![1]);
    expect(reattach['example.com/test/fixture']).toMatchObject({ Protocol: 'grpc', ProtocolVersion: 6, Addr: { Network: 'unix' } });
    expect(run.output().stdout).toBe('');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });
});
