/**
 * Opaque identifiers with a type prefix (docs/guides/api.md#endpoints): the prefix tells a human what an id names,
 * the random part (22 base62 characters, ~131 bits) makes ids unguessable, so an id says nothing
 * about how many resources exist or in which order they were created.
 */
import { randomBase62 } from './base62';

export const ID_PREFIXES = {
  account: 'acct_',
  principal: 'prin_',
  team: 'team_',
  project: 'proj_',
  site: 'site_',
  key: 'key_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const RANDOM_LENGTH = 22;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}${randomBase62(RANDOM_LENGTH)}`;
}

/** JSON Schema / RegExp source for an id of one kind. Lenient on length so ids can grow. */
export function idPatternSource(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}[0-9A-Za-z]{1,64}$`;
}
