/**
 * Dashboard sessions: sign-in exchanges an API key for a session cookie, and every later request
 * carrying the cookie authenticates AS that key — through Authenticator.authenticateSecretHash,
 * the very lookup a bearer request takes — so authorization, audit entries (they name the key),
 * the IP allowlist and every other per-key rule apply unchanged.
 *
 * The pipeline calls `authenticateRequest` as its one authentication step: an Authorization
 * header wins (a browser never adds one by itself, so it needs no CSRF token); otherwise the
 * session cookie, and then any state-changing method must carry the session's CSRF token.
 */
import { ApiError, invalidToken, missingCredentials } from '../domain/errors';
import {
  csrfTokenFor,
  csrfTokenMatches,
  isSafeMethod,
  isSessionTokenShaped,
  newSessionToken,
  sessionExpiry,
  sessionTokenFromCookies,
  sessionTokenHash,
} from '../domain/session-rules';
import type { SessionRepository } from '../storage/session-repository';
import { Authentication, Authenticator, withAuditContext } from './authenticator';

/** What the transport hands over for authentication. */
export interface RequestCredentials {
  readonly method: string;
  readonly authorization: string | undefined;
  readonly cookie: string | undefined;
  readonly csrfToken: string | undefined;
}

/** An Authentication that came through a session cookie. */
export interface SessionAuthentication extends Authentication {
  readonly session: { readonly token: string; readonly expiresAt: number };
}

export function isSessionAuthentication(authentication: Authentication | null): authentication is SessionAuthentication {
  return authentication !== null && 'session' in authentication;
}

export interface OpenedSession {
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

function csrfRefused(detail: string): ApiError {
  return new ApiError({ code: 'csrf_token_invalid', detail, errors: [{ header: 'X-CSRF-Token', detail }] });
}

function sessionEnded(): ApiError {
  return invalidToken('The dashboard session has ended (signed out, expired, or its key was revoked); sign in again.');
}

export class SessionService {
  constructor(
    private readonly pepper: Buffer,
    private readonly sessions: SessionRepository,
    private readonly authenticator: Authenticator,
  ) {}

  /** A bearer key's cached authentication comes back synchronously; a session always reads its row. */
  authenticateRequest(credentials: RequestCredentials, now: Date): Authentication | Promise<Authentication> {
    const sessionToken = sessionTokenFromCookies(credentials.cookie);
    if (credentials.authorization !== undefined || sessionToken === undefined) {
      if (credentials.authorization === undefined) throw missingCredentials();
      return this.authenticator.authenticate(credentials.authorization, now);
    }
    if (!isSessionTokenShaped(sessionToken)) throw sessionEnded();
    return this.authenticateSession(credentials, sessionToken, now);
  }

  private async authenticateSession(credentials: RequestCredentials, sessionToken: string, now: Date): Promise<Authentication> {
    const session = await this.sessions.findByTokenHash(sessionTokenHash(this.pepper, sessionToken));
    if (!session || session.revokedAt !== null || session.expiresAt <= now.getTime()) throw sessionEnded();
    const authentication = await this.authenticator.authenticateSecretHash(session.secretHash, now);
    if (!isSafeMethod(credentials.method) && !csrfTokenMatches(this.pepper, sessionToken, credentials.csrfToken)) {
      throw withAuditContext(
        csrfRefused(
          credentials.csrfToken === undefined
            ? 'A request made with the session cookie that changes anything must carry the X-CSRF-Token header.'
            : 'The X-CSRF-Token header does not belong to this session.',
        ),
        authentication.key,
      );
    }
    const withSession: SessionAuthentication = { ...authentication, session: { token: sessionToken, expiresAt: session.expiresAt } };
    return withSession;
  }

  /** Opens a session as the key (and exact secret) that authenticated this request. */
  async open(authentication: Authentication, now: Date): Promise<OpenedSession> {
    const token = newSessionToken();
    const expiresAt = sessionExpiry(now.getTime(), authentication.key.expiresAt);
    await this.sessions.purgeExpiredBefore(now.getTime());
    await this.sessions.insert({
      tokenHash: sessionTokenHash(this.pepper, token),
      keyId: authentication.key.id,
      secretHash: authentication.secretHash,
      createdAt: now.getTime(),
      expiresAt,
    });
    return { token, csrfToken: csrfTokenFor(this.pepper, token), expiresAt };
  }

  csrfTokenOf(session: SessionAuthentication): string {
    return csrfTokenFor(this.pepper, session.session.token);
  }

  async close(session: SessionAuthentication, now: Date): Promise<void> {
    await this.sessions.revoke(sessionTokenHash(this.pepper, session.session.token), now.getTime());
  }
}
