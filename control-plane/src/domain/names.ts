/**
 * Names (of keys, teams, projects, sites, principals, credentials) are compared and stored in
 * Unicode NFC, so "é" typed as one code point and as "e" + combining accent is one name: two
 * siblings can never differ only by normalization, and a lookup by name finds either spelling. Pure.
 */

/** The body with its top-level `name` in NFC (anything else, including a non-string name, is left for validation). */
export function withNormalizedName<Body>(body: Body): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { name } = body as { name?: unknown };
  if (typeof name !== 'string') return body;
  const normalized = name.normalize('NFC');
  return normalized === name ? body : { ...body, name: normalized };
}
