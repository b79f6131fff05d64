/**
 * Runtime configuration from the environment (SPEC §5.2). Read once at start; everything else
 * receives the parsed values.
 */
import { resolve } from 'node:path';

export interface ControlPlaneConfig {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  /** MANAGED_PEPPER, when set; otherwise the pepper file beside the database is used. */
  readonly pepper: string | undefined;
  /** MANAGED_BOOTSTRAP_KEY, when set: the owner key the first start installs. */
  readonly bootstrapKey: string | undefined;
  /** MANAGED_TRUST_PROXY: proxy addresses whose X-Forwarded-For is believed (comma separated). */
  readonly trustProxy: readonly string[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new Error(`PORT must be a number from 0 to 65535, got "${text}"`);
  return Number(text);
}

export function configFromEnvironment(env: Environment): ControlPlaneConfig {
  return {
    dataDir: resolve(env.MANAGED_DATA_DIR || './data'),
    port: parsePort(env.PORT, 8080),
    host: env.HOST || '127.0.0.1',
    pepper: env.MANAGED_PEPPER || undefined,
    bootstrapKey: env.MANAGED_BOOTSTRAP_KEY || undefined,
    trustProxy: (env.MANAGED_TRUST_PROXY ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
  };
}
