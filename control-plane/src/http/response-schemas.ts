/** Response body schemas for the OpenAPI document (components.schemas), by component name. */
import { KEY_STATUSES, ROLES } from '@managed-dev/contract';
import type { JsonSchema } from './route-definition';
import { PROBLEM_SCHEMA } from './problem';

const nullableString = { type: ['string', 'null'] };
const timestamp = { type: 'string', format: 'date-time' };

const constraint: JsonSchema = {
  oneOf: [
    { type: 'null' },
    { type: 'object', required: ['team_id'], properties: { team_id: { type: 'string' } } },
    { type: 'object', required: ['project_id'], properties: { project_id: { type: 'string' } } },
    { type: 'object', required: ['site_id'], properties: { site_id: { type: 'string' } } },
  ],
};

const keyRecord: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'description',
    'preset',
    'scopes',
    'effective_scopes',
    'constraint',
    'ip_allowlist',
    'ttl',
    'ephemeral',
    'status',
    'principal_id',
    'created_by',
    'created_at',
    'expires_at',
    'revoked_at',
    'last_used_at',
    'last_used_ip',
  ],
  properties: {
    id: { type: 'string', pattern: '^key_' },
    name: { type: 'string' },
    description: nullableString,
    preset: nullableString,
    scopes: { type: 'array', items: { type: 'string' }, description: 'as given at mint/update time, sorted and de-duplicated' },
    effective_scopes: { type: 'array', items: { type: 'string' }, description: "preset + scopes expanded, ∩ the principal's current role ceiling" },
    constraint,
    ip_allowlist: { type: 'array', items: { type: 'string' } },
    ttl: { type: 'string', description: 'the lifetime as minted; rotation (and renewal of an ephemeral key) sets expires_at to now + ttl' },
    ephemeral: { type: 'boolean', description: 'minted for one Terraform run: ttl 5m–24h, renewable' },
    status: { enum: [...KEY_STATUSES] },
    principal_id: { type: 'string' },
    created_by: { type: 'string' },
    created_at: timestamp,
    expires_at: timestamp,
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    last_used_ip: nullableString,
  },
};

export const RESPONSE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Problem: PROBLEM_SCHEMA,
  KeyRecord: keyRecord,
  KeyWithSecret: {
    allOf: [
      { $ref: '#/components/schemas/KeyRecord' },
      {
        type: 'object',
        required: ['secret'],
        properties: { secret: { type: 'string', pattern: '^mdk_[0-9A-Za-z]{46}$', description: 'shown only in this response' } },
      },
    ],
  },
  Whoami: {
    type: 'object',
    properties: {
      account_id: { type: 'string' },
      principal: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { enum: ['user', 'service'] }, role: { enum: [...ROLES] } },
      },
      role: { enum: [...ROLES] },
      key_id: { type: 'string' },
      key_name: { type: 'string' },
      preset: nullableString,
      scopes: { type: 'array', items: { type: 'string' } },
      effective_scopes: { type: 'array', items: { type: 'string' } },
      constraint,
      ip_allowlist: { type: 'array', items: { type: 'string' } },
      status: { enum: [...KEY_STATUSES] },
      expires_at: timestamp,
    },
  },
  ScopeCatalog: {
    type: 'object',
    properties: {
      scopes: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, dangerous: { type: 'boolean' } } },
      },
    },
  },
  PresetCatalog: {
    type: 'object',
    properties: {
      presets: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: { description: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  },
  KeyPage: {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/KeyRecord' } },
      next_cursor: nullableString,
    },
  },
};
