/**
 * What a denied request may leave in the audit log (docs/guides/api.md#audit). Pure.
 *
 * A request path is the caller's to choose: it can be 16 KB long, and it can carry a secret,
 * spelled plainly or percent-encoded any number of times (`mdk%5F…`, `%6Ddk%252525255F…`). The log
 * keeps the path decoded to the end (so every spelling of a secret is one spelling), with anything shaped like a
 * secret blanked, cut to a bounded length.
 */

export const MAX_AUDITED_PATH_LENGTH = 256;

// mdk_ + base62 is a secret (46 characters when whole; shorter runs are fragments of one). A long
// base62 run without the prefix is a secret's body pasted alone: ids are 22 characters, scopes
// and names are shorter, so 32 or more is never anything the API itself puts in a path.
const SECRET_SHAPES = /mdk_[0-9A-Za-z]{8,}|[0-9A-Za-z]{32,}/gi;

/**
 * Decodes every valid %XX (leaving stray "%"s alone), repeatedly, until nothing changes: no fixed
 * number of rounds, since any number of encodings (`%25` nested n times) is one client's choice
 * away, and a round short of the end leaves the secret one decode from readable. It terminates:
 * a round that changes anything replaces at least one three-character escape by one character, so
 * there are at most length / 2 rounds (callers bound the length first: auditablePath).
 */
export function percentDecodeFully(text: string): string {
  let current = text;
  while (current.includes('%')) {
    const next = current.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        // Not UTF-8 as a whole: decode byte by byte into Latin-1, which is enough to see an "mdk_".
        return run.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      }
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

export function redactSecretShapes(text: string): string {
  return text.replace(SECRET_SHAPES, '[redacted]');
}

/** Cuts to `max` characters (never inside a surrogate pair), marking the cut. */
export function truncateForAudit(text: string, max: number = MAX_AUDITED_PATH_LENGTH): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** A request path as the audit log keeps it: decoded, secrets blanked, bounded. */
export function auditablePath(path: string): string {
  // Cut first to bound the work (a decoded character is never longer than its spelling), with
  // room for a secret that straddles the cut to still be recognised and blanked.
  const bounded = path.length > MAX_AUDITED_PATH_LENGTH * 4 ? path.slice(0, MAX_AUDITED_PATH_LENGTH * 4) : path;
  return truncateForAudit(redactSecretShapes(percentDecodeFully(bounded)));
}
