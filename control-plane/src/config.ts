/**
 * Runtime configuration from the environment (docs/guides/configuration.md). Read once at start;
 * everything else receives the parsed values. SETTINGS is the one list of variables: `npm start
 * -- --help` prints it, and the configuration guide's table is generated from it.
 */
import { dirname, join, resolve } from 'node:path';
import type { RateLimit } from './domain/token-bucket';
import { MIN_PEPPER_DISTINCT_CHARACTERS, MIN_PEPPER_LENGTH, pepperWeakness } from './storage/pepper';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Setting {
  readonly name: string;
  /** What applies when the variable is unset or empty. */
  readonly default: string;
  readonly description: string;
}

export const DEFAULT_DATABASE_POOL_SIZE = 10;

export const SETTINGS: readonly Setting[] = [
  { name: 'PORT', default: '8080', description: 'TCP port to listen on (0 picks a free one).' },
  { name: 'HOST', default: '127.0.0.1', description: 'Address to listen on; use 0.0.0.0 or :: to accept remote clients.' },
  { name: 'MANAGED_DATA_DIR', default: './data', description: 'Directory holding the SQLite database, the pepper file and the bootstrap key file.' },
  {
    name: 'MANAGED_DATABASE_URL',
    default: '(none: SQLite in the data directory)',
    description:
      'postgres:// or postgresql:// URL of a PostgreSQL database that any number of replicas share; requires MANAGED_PEPPER. Migrations run at start, once, whichever replica comes first.',
  },
  {
    name: 'MANAGED_DATABASE_POOL_SIZE',
    default: String(DEFAULT_DATABASE_POOL_SIZE),
    description: "Connections each replica keeps to PostgreSQL, plus one that listens for the other replicas' changes.",
  },
  {
    name: 'MANAGED_PEPPER',
    default: '(generated into <data dir>/pepper; required with MANAGED_DATABASE_URL)',
    description: `Server secret (at least ${MIN_PEPPER_LENGTH} characters, ${MIN_PEPPER_DISTINCT_CHARACTERS} or more of them different) that keys secrets at rest; keep it with backups, and give every replica the same one (a replica with another one refuses to start).`,
  },
  {
    name: 'MANAGED_BOOTSTRAP_KEY',
    default: '(generated and printed once)',
    description: 'Owner key the first start installs; it is checked but never printed or written.',
  },
  { name: 'MANAGED_TRUST_PROXY', default: '(none)', description: 'Comma-separated proxy addresses whose X-Forwarded-For is believed.' },
  { name: 'MANAGED_RATE_LIMIT_PER_KEY', default: '100', description: 'Requests per second each key may make (a token bucket per key).' },
  { name: 'MANAGED_RATE_LIMIT_PER_KEY_BURST', default: '200 (twice the rate when the rate is set)', description: 'How many requests a key may make at once.' },
  {
    name: 'MANAGED_RATE_LIMIT_ANONYMOUS',
    default: '10',
    description: 'Requests per second per client address for requests without valid credentials and public routes.',
  },
  {
    name: 'MANAGED_RATE_LIMIT_ANONYMOUS_BURST',
    default: '50 (twice the rate when the rate is set)',
    description: 'How many such requests an address may make at once.',
  },
  { name: 'LOG_LEVEL', default: 'info', description: `Request log level: ${LOG_LEVELS.join(', ')}. One JSON line per request at info.` },
  {
    name: 'MANAGED_SHUTDOWN_TIMEOUT',
    default: '10',
    description: 'Seconds SIGTERM/SIGINT waits for in-flight requests to finish before closing their connections.',
  },
];

export interface ControlPlaneConfig {
  readonly dataDir: string;
  /**
   * MANAGED_DATABASE_URL: the PostgreSQL database shared by every replica, or undefined for the
   * embedded SQLite file in dataDir. With it, `pepper` is always set (configFromEnvironment checks).
   */
  readonly databaseUrl: string | undefined;
  /** MANAGED_DATABASE_POOL_SIZE: pooled PostgreSQL connections per replica. */
  readonly databasePoolSize: number;
  readonly port: number;
  readonly host: string;
  /** MANAGED_PEPPER, when set; otherwise the pepper file beside the database is used. */
  readonly pepper: string | undefined;
  /** MANAGED_BOOTSTRAP_KEY, when set: the owner key the first start installs. */
  readonly bootstrapKey: string | undefined;
  /** MANAGED_TRUST_PROXY: proxy addresses whose X-Forwarded-For is believed (comma separated). */
  readonly trustProxy: readonly string[];
  readonly logLevel: LogLevel;
  /** How long a shutdown waits for in-flight requests, in milliseconds. */
  readonly shutdownTimeoutMs: number;
  /** MANAGED_RATE_LIMIT_PER_KEY (requests/s) and MANAGED_RATE_LIMIT_PER_KEY_BURST. */
  readonly keyRateLimit: RateLimit;
  /** MANAGED_RATE_LIMIT_ANONYMOUS (requests/s per client address) and MANAGED_RATE_LIMIT_ANONYMOUS_BURST. */
  readonly anonymousRateLimit: RateLimit;
  /** MANAGED_DASHBOARD_DIR: the built dashboard served at "/" (default: dist/dashboard in the repository). */
  readonly dashboardDir: string;
}

/**
 * The built dashboard beside this module. This file sits at control-plane/src/ of either the source
 * tree (run through ts-jest or tsx: the build is in <root>/dist/dashboard) or the compiled tree
 * (dist/control-plane/src: the build is its sibling dist/dashboard). Deciding by the module's own
 * extension, not by searching upwards for a marker file, keeps it right whatever else the build
 * writes into dist/ (tsc copies package.json there, which once stopped such a search one level short).
 */
export function defaultDashboardDir(moduleFile: string = __filename): string {
  const treeRoot = resolve(dirname(moduleFile), '..', '..');
  return moduleFile.endsWith('.ts') ? join(treeRoot, 'dist', 'dashboard') : join(treeRoot, 'dashboard');
}

export const DEFAULT_KEY_RATE_LIMIT: RateLimit = { perSecond: 100, burst: 200 };
export const DEFAULT_ANONYMOUS_RATE_LIMIT: RateLimit = { perSecond: 10, burst: 50 };

export type Environment = Readonly<Record<string, string | undefined>>;

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new Error(`PORT must be a number from 0 to 65535, got "${text}"`);
  return Number(text);
}

function parseLogLevel(text: string | undefined): LogLevel {
  if (text === undefined || text === '') return 'info';
  const level = LOG_LEVELS.find((candidate) => candidate === text.toLowerCase());
  if (!level) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
  return level;
}

function parseSeconds(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback * 1000;
  if (!/^\d{1,5}$/.test(text)) throw new Error(`${name} must be a whole number of seconds, got "${text}"`);
  return Number(text) * 1000;
}

/** The `--help` text of `npm start`: what it does and every setting, as a table. */
export function settingsHelp(): string {
  const width = Math.max(...SETTINGS.map((setting) => setting.name.length));
  const rows = SETTINGS.map((setting) => `  ${setting.name.padEnd(width)}  ${setting.description}\n  ${' '.repeat(width)}  default: ${setting.default}`);
  return [
    'usage: npm start [-- --help]',
    '',
    'Starts the managed.dev control plane. The first start on an empty data directory creates',
    'account "default" and prints its owner key once. Settings come from the environment:',
    '',
    ...rows,
    '',
    'Docs: docs/guides/configuration.md. Operator commands: npm run --silent cli -- --help',
    '',
  ].join('\n');
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

const DATABASE_URL_SHAPE =
  'MANAGED_DATABASE_URL must be a postgres:// or postgresql:// URL with a host and a database name, e.g. postgres://user:password@db.internal:5432/managed';

/** "host:port/database" of a MANAGED_DATABASE_URL, for messages: never the user or the password. */
export function describeDatabaseUrl(text: string): string {
  const url = new URL(text);
  return `${url.hostname || url.searchParams.get('host') || ''}:${url.port || '5432'}/${decodeURIComponent(url.pathname.replace(/^\//, ''))}`;
}

/**
 * MANAGED_DATABASE_URL, checked. The value is never repeated in an error: it may hold a password.
 */
export function parseDatabaseUrl(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${DATABASE_URL_SHAPE} (the value given is not a URL)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`${DATABASE_URL_SHAPE} (got a ${url.protocol}// URL)`);
  }
  // new URL() accepts "postgres:/host/db" and "postgres:host" too; the driver then quietly falls
  // back to 127.0.0.1:5432. Only the // form names a host.
  // A Unix socket directory may come as ?host=/run/postgresql instead.
  if (!/^postgres(?:ql)?:\/\//i.test(text) || (url.hostname === '' && !url.searchParams.get('host'))) {
    throw new Error(`${DATABASE_URL_SHAPE} (the value names no host: it needs "//" and a host after the scheme)`);
  }
  // Without a path the driver connects to the database named like the user, which is rarely meant.
  if (decodeURIComponent(url.pathname.replace(/^\//, '')) === '') {
    throw new Error(`${DATABASE_URL_SHAPE} (the value names no database: add /<database name> after the host)`);
  }
  return text;
}

/**
 * With PostgreSQL there is no pepper file to fall back on: the data directory is per replica, the
 * pepper must be one for all of them, and it never goes into the database (a dump alone must not
 * be enough to test guessed secrets). So it is required, and checked before anything connects.
 */
function requiredPepper(text: string | undefined): string {
  if (text === undefined || text === '') {
    throw new Error(
      `MANAGED_PEPPER is required with MANAGED_DATABASE_URL: every replica must key secrets with the same pepper, and it is never stored in the database. Set it to one random secret of at least ${MIN_PEPPER_LENGTH} characters on every replica (e.g. openssl rand -base64 32)`,
    );
  }
  const weakness = pepperWeakness(text);
  if (weakness !== undefined) throw new Error(`MANAGED_PEPPER ${weakness}`);
  return text;
}

function parsePoolSize(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_DATABASE_POOL_SIZE;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1) throw new Error(`MANAGED_DATABASE_POOL_SIZE must be a whole number from 1 to 9999, got "${text}"`);
  return Number(text);
}

export function configFromEnvironment(env: Environment): ControlPlaneConfig {
  const databaseUrl = parseDatabaseUrl(env.MANAGED_DATABASE_URL);
  return {
    dataDir: resolve(env.MANAGED_DATA_DIR || './data'),
    databaseUrl,
    databasePoolSize: parsePoolSize(env.MANAGED_DATABASE_POOL_SIZE),
    port: parsePort(env.PORT, 8080),
    host: env.HOST || '127.0.0.1',
    pepper: databaseUrl === undefined ? env.MANAGED_PEPPER || undefined : requiredPepper(env.MANAGED_PEPPER),
    bootstrapKey: env.MANAGED_BOOTSTRAP_KEY || undefined,
    trustProxy: (env.MANAGED_TRUST_PROXY ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    shutdownTimeoutMs: parseSeconds('MANAGED_SHUTDOWN_TIMEOUT', env.MANAGED_SHUTDOWN_TIMEOUT, 10),
    keyRateLimit: rateLimit(env, 'MANAGED_RATE_LIMIT_PER_KEY', DEFAULT_KEY_RATE_LIMIT),
    anonymousRateLimit: rateLimit(env, 'MANAGED_RATE_LIMIT_ANONYMOUS', DEFAULT_ANONYMOUS_RATE_LIMIT),
    dashboardDir: resolve(env.MANAGED_DASHBOARD_DIR || defaultDashboardDir()),
  };
}
