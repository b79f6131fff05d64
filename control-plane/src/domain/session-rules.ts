/**
 * Dashboard session rules (pure): lifetime, the cookie's exact attributes, and the CSRF token.
 *
 * A session is an opaque random token in an HttpOnly, SameSite=Strict cookie (Secure over TLS);
 * it is not the API key and cannot be turned back into it. The CSRF token is an HMAC of the
 * session token under the pepper: bound to that one session, checkable without storage, and
 * useless to anyone who does not already hold the cookie.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { digestsEqual, hashSecret } from './secret-hash';

export const SESSION_COOKIE = 'mdk_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A working day: long enough for a console session, short enough that a forgotten tab ends. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

const TOKEN_SHAPE = /^mds_[A-Za-z0-9_-]{43}$/;

/** 32 random bytes: "mds_" + 43 base64url characters, visibly not an "mdk_" key. */
export function newSessionToken(): string {
  return `mds_${randomBytes(32).toString('base64url')}`;
}

export function isSessionTokenShaped(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

/** What the database keeps: the token's HMAC, never the token. */
export function sessionTokenHash(pepper: Buffer, token: string): Buffer {
  return hashSecret(pepper, `session\0${token}`);
}

/** A session never outlives the key that opened it. */
export function sessionExpiry(now: number, keyExpiresAt: number): number {
  return Math.min(now + SESSION_LIFETIME_MS, keyExpiresAt);
}

export function csrfTokenFor(pepper: Buffer, sessionToken: string): string {
  return createHmac('sha256', pepper).update(`csrf\0${sessionToken}`, 'utf8').digest('base64url');
}

export function csrfTokenMatches(pepper: Buffer, sessionToken: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  return digestsEqual(Buffer.from(csrfTokenFor(pepper, sessionToken)), Buffer.from(presented));
}

/** Methods a browser may send cross-site without side effects; every other one needs the CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

export interface CookieOptions {
  /** Served over TLS (directly or through a trusted proxy): add Secure. */
  readonly secure: boolean;
  readonly maxAgeSeconds: number;
}

export function sessionCookie(token: string, options: CookieOptions): string {
  const attributes = [`${SESSION_COOKIE}=${token}`, 'Path=/', `Max-Age=${Math.max(0, options.maxAgeSeconds)}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSeconds: 0 });
}

/** The session token from a Cookie header, if one is there (the first, which browsers send for the most specific path). */
export function sessionTokenFromCookies(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(separator + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}
