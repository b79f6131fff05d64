/**
 * Runtime configuration from the environment (SPEC §5.2). Read once at start; everything else
 * receives the parsed values.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RateLimit } from './domain/token-bucket';

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
  /** MANAGED_RATE_LIMIT_PER_KEY (requests/s) and MANAGED_RATE_LIMIT_PER_KEY_BURST. */
  readonly keyRateLimit: RateLimit;
  /** MANAGED_RATE_LIMIT_ANONYMOUS (requests/s per client address) and MANAGED_RATE_LIMIT_ANONYMOUS_BURST. */
  readonly anonymousRateLimit: RateLimit;
  /** MANAGED_DASHBOARD_DIR: the built dashboard served at "/" (default: dist/dashboard in the repository). */
  readonly dashboardDir: string;
}

/** The repository root (the folder holding package.json) above this file, from source or from dist/. */
function repositoryRoot(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

export const DEFAULT_KEY_RATE_LIMIT: RateLimit = { perSecond: 100, burst: 200 };
export const DEFAULT_ANONYMOUS_RATE_LIMIT: RateLimit = { perSecond: 10, burst: 50 };

export type Environment = Readonly<Record<string, string | undefined>>;

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new Error(`PORT must be a number from 0 to 65535, got "${text}"`);
  return Number(text);
}

function positiveNumber(env: Environment, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0)) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}

/** A rate and a burst; the burst defaults to twice the rate and is never below one request. */
function rateLimit(env: Environment, name: string, fallback: RateLimit): RateLimit {
  const perSecond = positiveNumber(env, name, fallback.perSecond);
  const burstDefault = env[name] !== undefined && env[name] !== '' ? Math.max(1, perSecond * 2) : fallback.burst;
  return { perSecond, burst: Math.max(1, positiveNumber(env, `${name}_BURST`, burstDefault)) };
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
    keyRateLimit: rateLimit(env, 'MANAGED_RATE_LIMIT_PER_KEY', DEFAULT_KEY_RATE_LIMIT),
    anonymousRateLimit: rateLimit(env, 'MANAGED_RATE_LIMIT_ANONYMOUS', DEFAULT_ANONYMOUS_RATE_LIMIT),
    dashboardDir: resolve(env.MANAGED_DASHBOARD_DIR || join(repositoryRoot(), 'dist', 'dashboard')),
  };
}
