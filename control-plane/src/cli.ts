/**
 * Operator CLI (docs/guides/configuration.md). What no HTTP route does, an operator with access to
 * the data directory does here. It opens the same database the server is configured with (for
 * SQLite, the same file: WAL, busy timeout), so every command works while the server runs.
 *
 *   npm run --silent cli -- --help
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_ACCOUNT_NAME } from './bootstrap';
import { systemClock } from './clock';
import { configFromEnvironment } from './config';
import { createServices } from './services/app-services';
import { openConfiguredDatabase } from './storage/open-database';
import { BackupIntegrityError, SqliteDatabase } from './storage/sqlite/sqlite-database';
import { databasePath } from './storage/sqlite/sqlite-files';

interface Command {
  readonly usage: string;
  readonly description: string;
  readonly run: (args: readonly string[], io: CliIo) => number | Promise<number>;
}

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/** Account names: what an operator would type; shown back in whoami and logs. */
const ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

async function createAccount([name, ...rest]: readonly string[], io: CliIo): Promise<number> {
  if (name === undefined || rest.length > 0) return usageError(io);
  if (!ACCOUNT_NAME.test(name)) {
    io.err(`invalid account name "${name}": use 1-63 lower-case letters, digits and dashes, starting and ending with a letter or digit\n`);
    return 2;
  }
  if (name === DEFAULT_ACCOUNT_NAME) {
    io.err(`"${DEFAULT_ACCOUNT_NAME}" is reserved for the account the server's first start creates\n`);
    return 2;
  }
  const services = await createServices(configFromEnvironment(io.env), systemClock);
  try {
    if (await services.accounts.findByName(name)) {
      io.err(`an account named "${name}" already exists\n`);
      return 1;
    }
    let created;
    try {
      created = await services.keyService.createAccountWithOwner(name, systemClock.now());
    } catch (error) {
      // Another CLI run created the same name between the check above and this insert.
      if (!services.db.isUniqueViolation(error)) throw error;
      io.err(`an account named "${name}" already exists\n`);
      return 1;
    }
    io.out(`${JSON.stringify({ account_id: created.accountId, owner_key: created.secret })}\n`);
    return 0;
  } finally {
    await services.denials.close();
    await services.db.close();
  }
}

/**
 * SQLite's online backup API copies the database page by page while the server keeps writing
 * (WAL), and the copy is one consistent snapshot. It is written beside the target and renamed
 * into place only after `PRAGMA integrity_check` passed (SqliteDatabase.backupTo), so a failed
 * backup never leaves a file that looks like a good one. The pepper is not in the database: back
 * up MANAGED_PEPPER (or <data dir>/pepper) separately, or the copy's secrets cannot be checked.
 * Another engine is backed up with its own tools (PostgreSQL: pg_dump or its base backups).
 */
async function backup([target, ...rest]: readonly string[], io: CliIo): Promise<number> {
  if (target === undefined || rest.length > 0) return usageError(io);
  const destination = resolve(target);
  if (existsSync(destination)) {
    io.err(`${destination} already exists; choose a new file name\n`);
    return 1;
  }
  const config = configFromEnvironment(io.env);
  // The engine first: with MANAGED_DATABASE_URL there is no file to look for, and "no database at
  // <dir>" would send the operator after the wrong thing.
  if (config.databaseUrl !== undefined) {
    io.err(
      'backup copies the embedded SQLite database; MANAGED_DATABASE_URL points this control plane at PostgreSQL: back that up with its own tools (pg_dump, or base backups), and keep MANAGED_PEPPER with it\n',
    );
    return 1;
  }
  const source = databasePath(config.dataDir);
  if (!existsSync(source)) {
    io.err(`no database at ${source}; set MANAGED_DATA_DIR to the server's data directory\n`);
    return 1;
  }
  const db = await openConfiguredDatabase(config);
  try {
    if (!(db instanceof SqliteDatabase)) {
      io.err(`backup copies the embedded SQLite database; this control plane runs on ${db.engine}: back it up with that database's own tools (e.g. pg_dump)\n`);
      return 1;
    }
    const copied = await db.backupTo(destination);
    io.out(`${JSON.stringify({ file: destination, pages: copied.pages, integrity_check: copied.integrityCheck })}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupIntegrityError)) throw error;
    io.err(`the copy failed PRAGMA integrity_check: ${error.integrityCheck}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

const COMMANDS: Readonly<Record<string, Command>> = {
  'account create': {
    usage: 'account create <name>',
    description: 'create an account with an owner principal and key; prints {"account_id": ..., "owner_key": ...}',
    run: createAccount,
  },
  backup: {
    usage: 'backup <file>',
    description: 'write a consistent copy of the database (safe while the server runs); prints {"file", "pages", "integrity_check"}',
    run: backup,
  },
};

function cliUsage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((command) => command.usage.length));
  return [
    'usage: npm run --silent cli -- <command>',
    '',
    ...Object.values(COMMANDS).map((command) => `  ${command.usage.padEnd(width)}  ${command.description}`),
    `  ${'--help'.padEnd(width)}  this list`,
    '',
    'environment (details: npm start -- --help):',
    '  MANAGED_DATA_DIR            SQLite database and pepper file (default ./data)',
    '  MANAGED_DATABASE_URL        postgres:// URL of a shared PostgreSQL database instead (requires MANAGED_PEPPER)',
    '  MANAGED_DATABASE_POOL_SIZE  connections to PostgreSQL',
    '  MANAGED_PEPPER              the server secret; the same one the server uses',
    '',
  ].join('\n');
}

function usageError(io: CliIo): number {
  io.err(cliUsage());
  return 2;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === 'help' || first === '--help' || first === '-h') {
    io.out(cliUsage());
    return 0;
  }
  const twoWords = COMMANDS[`${first} ${second}`];
  if (twoWords) return twoWords.run(rest, io);
  const oneWord = first !== undefined ? COMMANDS[first] : undefined;
  if (oneWord) return oneWord.run(second === undefined ? rest : [second, ...rest], io);
  return usageError(io);
}

if (require.main === module) {
  runCli(process.argv.slice(2), { env: process.env, out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Whatever failed (an unreadable data directory, a database busy past its timeout), say so in one line, no stack.
      const command = process.argv[2] === 'account' ? 'account create' : (process.argv[2] ?? 'command');
      process.stderr.write(`${command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
