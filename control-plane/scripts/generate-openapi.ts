/**
 * npm run generate:openapi [-- --check]
 *
 * Writes schema/openapi.json: the OpenAPI 3.1 document that GET /openapi.json serves, built by the
 * same function from the same route table, so readers and tools get the contract without starting
 * a server. The route table stays the one source of truth; this file is derived from it, and
 * test/control-plane/http/openapi-file.test.ts fails when it is stale. `--check` exits 1 instead
 * of writing when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildOpenApiDocument } from '../src/http/openapi';
import type { AnyRouteDefinition } from '../src/http/route-definition';
import { ROUTES } from '../src/http/route-table';

const repositoryRoot = join(__dirname, '..', '..');
export const OPENAPI_FILE = join(repositoryRoot, 'schema', 'openapi.json');
export const GENERATE_OPENAPI_COMMAND = 'npm run generate:openapi';

/** Stable text: two-space JSON in the builder's key order (fixed by the route table), final newline. */
export function renderOpenApiFile(routes: readonly AnyRouteDefinition[] = ROUTES): string {
  return `${JSON.stringify(buildOpenApiDocument(routes), null, 2)}\n`;
}

function main(): void {
  const rendered = renderOpenApiFile();
  const shownPath = relative(process.cwd(), OPENAPI_FILE) || OPENAPI_FILE;
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(OPENAPI_FILE, 'utf8');
    } catch {
      // A missing file is stale too; the message below says how to create it.
    }
    if (committed !== rendered) {
      process.stderr.write(`${shownPath} is stale: run ${GENERATE_OPENAPI_COMMAND}\n`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(OPENAPI_FILE, rendered);
  process.stderr.write(`wrote ${shownPath}\n`);
}

if (require.main === module) main();
