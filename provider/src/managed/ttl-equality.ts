/** When two TTL spellings are one lifetime ("90d" and "2160h"): the only place this is written. */
import { parseTtl } from '@managed-dev/contract';

export function sameTtl(a: string, b: string): boolean {
  if (a === b) return true;
  const left = parseTtl(a, 'ephemeral');
  const right = parseTtl(b, 'ephemeral');
  if (left.ok && right.ok) return left.milliseconds === right.milliseconds;
  const longLeft = parseTtl(a);
  const longRight = parseTtl(b);
  return longLeft.ok && longRight.ok && longLeft.milliseconds === longRight.milliseconds;
}
