/** Session rules: token shape, cookie attributes, cookie parsing, CSRF binding, expiry cap. */
import fc from 'fast-check';
import {
  SESSION_LIFETIME_MS,
  clearedSessionCookie,
  csrfTokenFor,
  csrfTokenMatches,
  isSafeMethod,
  isSessionTokenShaped,
  newSessionToken,
  sessionCookie,
  sessionExpiry,
  sessionTokenFromCookies,
  sessionTokenHash,
} from '../../../control-plane/src/domain/session-rules';

const pepper = Buffer.alloc(32, 7);

it('mints distinct, well-shaped tokens that are not API keys', () => {
  const tokens = new Set(Array.from({ length: 200 }, newSessionToken));
  expect(tokens.size).toBe(200);
  for (const token of tokens) {
    expect(isSessionTokenShaped(token)).toBe(true);
    expect(token.startsWith('mdk_')).toBe(false);
  }
  expect(isSessionTokenShaped('mds_short')).toBe(false);
});

it('binds the CSRF token to its session: it matches its own session only', () => {
  fc.assert(
    fc.property(fc.constant(null).map(newSessionToken), fc.constant(null).map(newSessionToken), (one, other) => {
      const token = csrfTokenFor(pepper, one);
      expect(csrfTokenMatches(pepper, one, token)).toBe(true);
      expect(csrfTokenMatches(pepper, other, token)).toBe(false);
      expect(csrfTokenMatches(Buffer.alloc(32, 8), one, token)).toBe(false);
      expect(csrfTokenMatches(pepper, one, undefined)).toBe(false);
      expect(csrfTokenMatches(pepper, one, token.slice(0, -1))).toBe(false);
    }),
    { numRuns: 50 },
  );
  // The stored hash is neither the token nor its CSRF token.
  const token = newSessionToken();
  expect(sessionTokenHash(pepper, token).toString('base64url')).not.toBe(csrfTokenFor(pepper, token));
});

it('never outlives its key', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), (now, keyExpiresAt) => {
      const expiry = sessionExpiry(now, keyExpiresAt);
      expect(expiry).toBeLessThanOrEqual(keyExpiresAt);
      expect(expiry).toBeLessThanOrEqual(now + SESSION_LIFETIME_MS);
    }),
  );
});

it('writes the cookie HttpOnly and SameSite=Strict, Secure only over TLS', () => {
  expect(sessionCookie('mds_x', { secure: false, maxAgeSeconds: 60 })).toBe('mdk_session=mds_x; Path=/; Max-Age=60; HttpOnly; SameSite=Strict');
  expect(sessionCookie('mds_x', { secure: true, maxAgeSeconds: 60 })).toBe('mdk_session=mds_x; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure');
  expect(clearedSessionCookie(false)).toBe('mdk_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
});

it('reads the session cookie among others', () => {
  expect(sessionTokenFromCookies(undefined)).toBeUndefined();
  expect(sessionTokenFromCookies('a=1; b=2')).toBeUndefined();
  expect(sessionTokenFromCookies('a=1; mdk_session=mds_abc; b=2')).toBe('mds_abc');
  expect(sessionTokenFromCookies('mdk_session=')).toBeUndefined();
  expect(sessionTokenFromCookies('xmdk_session=mds_abc')).toBeUndefined();
  expect(sessionTokenFromCookies('mdk_session=first; mdk_session=second')).toBe('first');
});

it('treats only GET, HEAD and OPTIONS as safe', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(isSafeMethod(method)).toBe(true);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'get']) expect(isSafeMethod(method)).toBe(false);
});
