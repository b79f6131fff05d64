/** The caller's account and its members (docs/guides/api.md, "Principals"). */
import { decodeCursor, pageOf } from '../../domain/page-cursor';
import { defineRoute } from '../route-definition';
import { iso, listQuerySchema, pageLimit, pageSchema } from './resource-targets';
import { principalSchema, renderPrincipal } from './principal-views';

export const accountRoutes = [
  defineRoute<undefined>({
    method: 'get',
    path: '/v1/account',
    scope: 'account:read',
    summary: "Read the caller's account",
    tags: ['account'],
    responses: {
      200: {
        description: 'The account',
        schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } } },
      },
    },
    handler: async ({ caller, services }) => {
      const account = (await services.accounts.findById(caller!.accountId))!;
      return { status: 200, body: { id: account.id, name: account.name, created_at: iso(account.createdAt) } };
    },
  }),
  defineRoute<undefined>({
    method: 'get',
    path: '/v1/members',
    scope: 'members:read',
    summary: "List the account's principals with their roles and teams",
    tags: ['members'],
    querySchema: listQuerySchema,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(principalSchema) } },
    handler: async ({ caller, query, services }) => {
      const limit = pageLimit(query);
      const after = query.cursor !== undefined ? decodeCursor(query.cursor as string) : undefined;
      const rows = await services.principals.listLive(caller!.accountId, limit + 1, after);
      const page = pageOf(rows, limit, (p) => p);
      return { status: 200, body: { ...page, items: await Promise.all(page.items.map((p) => renderPrincipal(p, services))) } };
    },
  }),
];
