/**
 * Dashboard sign-in and sign-out. Sign-in authenticates with the key as a bearer token (so the
 * ordinary pipeline checks it, its IP allowlist and audits the exchange under the key) and answers
 * with the session cookie; the key itself is never stored by the browser.
 */
import { ApiError, notFound } from '../../domain/errors';
import { clearedSessionCookie, sessionCookie } from '../../domain/session-rules';
import { isSessionAuthentication } from '../../services/session-service';
import { defineRoute } from '../route-definition';

const sessionSchema = {
  type: 'object',
  required: ['key_id', 'expires_at', 'csrf_token'],
  properties: {
    key_id: { type: 'string', description: 'The key this session authenticates as' },
    expires_at: { type: 'string', format: 'date-time' },
    csrf_token: { type: 'string', description: 'Send as X-CSRF-Token on every state-changing request made with the cookie' },
  },
} as const;

function sessionBody(keyId: string, expiresAt: number, csrfToken: string) {
  return { key_id: keyId, expires_at: new Date(expiresAt).toISOString(), csrf_token: csrfToken };
}

export const sessionRoutes = [
  defineRoute({
    method: 'post',
    path: '/v1/sessions',
    errors: ['bearer_required'],
    scope: null,
    audit: 'session.create',
    summary: 'Sign in to the dashboard: exchange the bearer key for a session cookie',
    description:
      'Authenticate with `Authorization: Bearer <key>`. The answer sets an HttpOnly, SameSite=Strict `mdk_session` cookie (Secure over TLS) ' +
      'that authenticates as exactly that key until sign-out, expiry (12 h, never beyond the key), or the key being revoked.',
    tags: ['sessions'],
    responses: { 201: { description: 'The session (the cookie is in Set-Cookie)', schema: sessionSchema } },
    handler: async ({ authentication, services, now, secureTransport }) => {
      if (isSessionAuthentication(authentication)) {
        throw new ApiError({ code: 'bearer_required', detail: 'A session is opened with an API key as the bearer token, not with another session.' });
      }
      const opened = await services.sessions.open(authentication!, now);
      return {
        status: 201,
        headers: {
          'Set-Cookie': sessionCookie(opened.token, { secure: secureTransport === true, maxAgeSeconds: Math.floor((opened.expiresAt - now.getTime()) / 1000) }),
        },
        body: sessionBody(authentication!.key.id, opened.expiresAt, opened.csrfToken),
        audit: { target: authentication!.key.id, detail: '201 session opened' },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/sessions/current',
    scope: null,
    summary: 'The dashboard session this request came with (its CSRF token, after a reload)',
    // A bearer request has no session to describe.
    errors: ['not_found'],
    tags: ['sessions'],
    responses: { 200: { description: 'The session', schema: sessionSchema } },
    handler: ({ authentication, services }) => {
      if (!isSessionAuthentication(authentication)) throw notFound();
      return { status: 200, body: sessionBody(authentication.key.id, authentication.session.expiresAt, services.sessions.csrfTokenOf(authentication)) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/sessions/current',
    scope: null,
    audit: 'session.revoke',
    summary: 'Sign out: end the session this request came with and clear its cookie',
    errors: ['not_found'],
    tags: ['sessions'],
    responses: { 204: { description: 'Signed out' } },
    handler: async ({ authentication, services, now, secureTransport }) => {
      if (!isSessionAuthentication(authentication)) throw notFound();
      await services.sessions.close(authentication, now);
      return {
        status: 204,
        headers: { 'Set-Cookie': clearedSessionCookie(secureTransport === true) },
        audit: { target: authentication.key.id, detail: '204 signed out' },
      };
    },
  }),
];
