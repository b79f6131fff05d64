/**
 * Operator CLI (SPEC §5.2). No HTTP path creates accounts; an operator with access to the data
 * directory does:  npm run --silent cli -- account create <name>
 * It opens the same SQLite file (WAL, busy timeout), so it works while the server runs.
 */
import { DEFAULT_ACCOUNT_NAME } from './bootstrap';
import { systemClock } from './clock';
import { configFromEnvironment } from './config';
import { createServices } from './services/app-services';
import { isUniqueViolation } from './storage/database';

const USAGE = `usage: npm run --silent cli -- account create <name>

  account create <name>   create an account with an owner principal and key;
                          prints {"account_id": ..., "owner_key": ...}

environment: MANAGED_DATA_DIR (default ./data), MANAGED_PEPPER`;

/** Account names: what an operator would type; shown back in whoami and logs. */
const ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): number {
  const [area, command, name, ...rest] = argv;
  if (area === 'help' || area === '--help' || area === '-h') {
    out(`${USAGE}\n`);
    return 0;
  }
  if (area !== 'account' || command !== 'create' || name === undefined || rest.length > 0) {
    err(`${USAGE}\n`);
    return 2;
  }
  if (!ACCOUNT_NAME.test(name)) {
    err(`invalid account name "${name}": use 1-63 lower-case letters, digits and dashes, starting and ending with a letter or digit\n`);
    return 2;
  }
  if (name === DEFAULT_ACCOUNT_NAME) {
    err(`"${DEFAULT_ACCOUNT_NAME}" is reserved for the account the server's first start creates\n`);
    return 2;
  }
  const services = createServices(configFromEnvironment(env), systemClock);
  try {
    if (services.accounts.findByName(name)) {
      err(`an account named "${name}" already exists\n`);
      return 1;
    }
    let created;
    try {
      created = services.keyService.createAccountWithOwner(name, systemClock.now());
    } catch (error) {
      // Another CLI run created the same name between the check above and this insert.
      if (!isUniqueViolation(error)) throw error;
      err(`an account named "${name}" already exists\n`);
      return 1;
    }
    out(`${JSON.stringify({ account_id: created.accountId, owner_key: created.secret })}\n`);
    return 0;
  } finally {
    services.denials.close();
    services.db.close();
  }
}

if (require.main === module) {
  try {
    process.exitCode = runCli(process.argv.slice(2), process.env, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
  } catch (error) {
    // Whatever failed (an unreadable data directory, a database busy past its timeout), say so in one line, no stack.
    process.stderr.write(`account create failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
