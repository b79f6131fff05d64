/**
 * Stands in for node:crypto and node:zlib in the browser bundle. @managed-dev/contract mints ids
 * and secrets with them; the dashboard only uses the contract's pure checks, and never mints, so
 * reaching one of these is a bug worth a loud error rather than a silent wrong value.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the dashboard: secrets and ids are minted by the server`);
}

export const randomFillSync = (): never => unavailable('randomFillSync');
export const crc32 = (): never => unavailable('crc32');
