/**
 * "Did you mean …?": the nearest of a set of known names to a mistyped one, when it is close
 * enough to be a plausible typo (at most half the length away, or 2 edits for short names).
 */
import { distance } from 'fastest-levenshtein';

export function nearestName(text: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(text, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(text.length / 2)) ? best : undefined;
}
