/** The audit log and its verification (docs/guides/api.md#audit). Each account reads and verifies only its own chain. */
import { validationFailed } from '../../domain/errors';
import { decodeCursor, encodeCursor } from '../../domain/page-cursor';
import { AnyRouteDefinition, auditActionsOf, defineRoute, JsonSchema } from '../route-definition';
import { pageLimit, pageSchema } from './resource-targets';

/** The audit routes' own shapes: their names are actions too (a denied read is recorded). */
const AUDIT_PATHS = [
  { method: 'get', path: '/v1/audit' },
  { method: 'get', path: '/v1/audit/verify' },
] as const;

/** `action` filters by a name the log can hold, so a typo is a 400 with a suggestion, not an empty page. */
function auditQuerySchema(actions: readonly string[]): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
      cursor: { type: 'string', minLength: 1, maxLength: 400 },
      action: { enum: [...actions] },
      outcome: { enum: ['success', 'denied'] },
    },
  };
}

const entrySchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    sequence: { type: 'integer' },
    time: { type: 'string', format: 'date-time' },
    account_id: { type: ['string', 'null'] },
    actor_principal_id: { type: ['string', 'null'] },
    key_id: { type: ['string', 'null'] },
    action: { type: 'string' },
    target: { type: ['string', 'null'] },
    source_ip: { type: ['string', 'null'] },
    outcome: { enum: ['success', 'denied'] },
    detail: { type: ['string', 'null'] },
    previous_hash: { type: 'string' },
    hash: { type: 'string' },
  },
};

/** The audit routes for a route table made of `otherRoutes` and these. */
export function auditRoutes(otherRoutes: readonly AnyRouteDefinition[]) {
  const actions = auditActionsOf([...otherRoutes, ...AUDIT_PATHS]);
  return [
    defineRoute<undefined>({
      method: 'get',
      path: '/v1/audit',
      scope: 'audit:read',
      summary: "Page through the account's audit log, newest first",
      tags: ['audit'],
      querySchema: auditQuerySchema(actions),
      responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(entrySchema) } },
      handler: async ({ caller, query, services }) => {
        const limit = pageLimit(query);
        let beforeSequence: number | undefined;
        if (query.cursor !== undefined) {
          // The cursor carries the sequence number of the last entry of the previous page.
          beforeSequence = decodeCursor(query.cursor as string).createdAt;
          if (beforeSequence < 1) throw validationFailed([{ parameter: 'cursor', detail: 'is not a cursor returned by this API' }]);
        }
        const rows = await services.auditRecords.page({
          accountId: caller!.accountId,
          limit,
          ...(beforeSequence !== undefined ? { beforeSequence } : {}),
          ...(query.action !== undefined ? { action: query.action as string } : {}),
          ...(query.outcome !== undefined ? { outcome: query.outcome as string } : {}),
        });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return {
          status: 200,
          body: {
            items: page.map((e) => ({
              id: e.id,
              sequence: e.sequence,
              time: e.time,
              account_id: e.accountId,
              actor_principal_id: e.actorPrincipalId,
              key_id: e.keyId,
              action: e.action,
              target: e.target,
              source_ip: e.sourceIp,
              outcome: e.outcome,
              detail: e.detail,
              previous_hash: e.previousHash,
              hash: e.hash,
            })),
            next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.sequence, id: last.id }) : null,
          },
        };
      },
    }),
    defineRoute<undefined>({
      method: 'get',
      path: '/v1/audit/verify',
      scope: 'audit:read',
      summary: "Verify the account's audit hash chain and name the first broken entry",
      tags: ['audit'],
      responses: {
        200: {
          description: '{ok, checked, last_hash} or {ok: false, checked, first_broken: {id, sequence, reason}}',
          schema: {
            oneOf: [
              {
                type: 'object',
                required: ['ok', 'checked', 'last_hash'],
                properties: { ok: { const: true }, checked: { type: 'integer' }, last_hash: { type: ['string', 'null'] } },
              },
              {
                type: 'object',
                required: ['ok', 'checked', 'first_broken'],
                properties: {
                  ok: { const: false },
                  checked: { type: 'integer' },
                  first_broken: {
                    type: 'object',
                    required: ['id', 'sequence', 'reason'],
                    properties: { id: { type: 'string' }, sequence: { type: 'integer' }, reason: { type: 'string' } },
                  },
                },
              },
            ],
          },
        },
      },
      // Asynchronous: the walk yields to the event loop between slices, so the server keeps answering.
      handler: async ({ caller, services }) => {
        const verdict = await services.auditRecords.verify(caller!.accountId);
        return {
          status: 200,
          body: verdict.ok
            ? { ok: true, checked: verdict.checked, last_hash: verdict.lastHash }
            : { ok: false, checked: verdict.checked, first_broken: verdict.firstBroken },
        };
      },
    }),
  ];
}
