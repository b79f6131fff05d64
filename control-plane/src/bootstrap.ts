/**
 * First start on an empty data directory (docs/guides/configuration.md): account "default", an owner principal and
 * one owner key — MANAGED_BOOTSTRAP_KEY when set (it must be a well-formed secret), otherwise a
 * generated one, written to <data dir>/bootstrap-owner-key (0600) and reported once. A settings
 * row records that bootstrap happened, so later starts never print or change anything.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSecret } from '@managed-dev/contract';
import type { AppServices } from './services/app-services';

export const BOOTSTRAP_KEY_FILE = 'bootstrap-owner-key';
export const DEFAULT_ACCOUNT_NAME = 'default';
const BOOTSTRAP_SETTING = 'bootstrap';

export interface BootstrapState {
  readonly accountId: string;
  readonly ownerPrincipalId: string;
  readonly ownerKeyId: string;
}

export type BootstrapResult =
  | ({ readonly created: true; readonly ownerKey: string; readonly keySource: 'generated' | 'environment'; readonly keyFile: string | null } & BootstrapState)
  | ({ readonly created: false } & BootstrapState);

export function bootstrapKeyPath(dataDir: string): string {
  return join(dataDir, BOOTSTRAP_KEY_FILE);
}

export async function ensureBootstrapped(services: AppServices, bootstrapKey: string | undefined): Promise<BootstrapResult> {
  if (bootstrapKey !== undefined) {
    const check = checkSecret(bootstrapKey);
    if (!check.ok) {
      throw new Error(
        `MANAGED_BOOTSTRAP_KEY is not a valid key (${check.reason === 'checksum' ? 'checksum mismatch' : 'expected mdk_ followed by 46 letters and digits'})`,
      );
    }
  }
  const { db } = services;
  return db.transaction(async (): Promise<BootstrapResult> => {
    // Processes (or replicas) starting together on one database bootstrap once: the lock is held
    // until this transaction ends, so the next one to take it reads the state the first wrote.
    await db.lock(BOOTSTRAP_SETTING);
    const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [BOOTSTRAP_SETTING]);
    if (row) return { created: false, ...(JSON.parse(row.value) as BootstrapState) };
    const created = await services.keyService.createAccountWithOwner(DEFAULT_ACCOUNT_NAME, services.clock.now(), bootstrapKey);
    const state: BootstrapState = { accountId: created.accountId, ownerPrincipalId: created.principalId, ownerKeyId: created.keyId };
    await db.run('INSERT INTO settings (name, value) VALUES (?, ?)', [BOOTSTRAP_SETTING, JSON.stringify(state)]);
    let keyFile: string | null = null;
    if (bootstrapKey === undefined) {
      keyFile = bootstrapKeyPath(services.config.dataDir);
      // Written inside the transaction: if the file cannot be written, no key exists that nobody saw.
      writeFileSync(keyFile, `${created.secret}\n`, { mode: 0o600, flag: 'w' });
      chmodSync(keyFile, 0o600); // a file left over from an earlier directory keeps its mode otherwise
    }
    return {
      created: true,
      ...state,
      ownerKey: created.secret,
      keySource: bootstrapKey === undefined ? 'generated' : 'environment',
      keyFile,
    };
  });
}

/** The lines a first start prints (never anything on later starts). */
export function bootstrapAnnouncement(result: BootstrapResult): string[] {
  if (!result.created) return [];
  if (result.keySource === 'environment') {
    return [`Bootstrapped account "${DEFAULT_ACCOUNT_NAME}" (${result.accountId}); its owner key is the one given in MANAGED_BOOTSTRAP_KEY.`];
  }
  return [
    `Bootstrapped account "${DEFAULT_ACCOUNT_NAME}" (${result.accountId}) with an owner key. It is shown only this once:`,
    '',
    `  ${result.ownerKey}`,
    '',
    `It was also written to ${result.keyFile} (mode 0600). Store it in a secret manager and delete that file.`,
  ];
}
