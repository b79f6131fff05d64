/** How site sub-resources look on the wire, and their schemas for the OpenAPI document. */
import type { Backup, Deploy, StoredCredential } from '../../storage/site-resource-repository';
import type { JsonSchema } from '../route-definition';
import { iso } from './resource-targets';

export const renderDeploy = (d: Deploy) => ({
  id: d.id,
  site_id: d.siteId,
  ref: d.ref,
  message: d.message,
  status: d.status,
  created_by_key_id: d.createdByKeyId,
  created_at: iso(d.createdAt),
});
export const renderBackup = (b: Backup) => ({
  id: b.id,
  site_id: b.siteId,
  label: b.label,
  status: b.status,
  size_bytes: b.sizeBytes,
  created_at: iso(b.createdAt),
});
export const renderCredentialMetadata = (c: StoredCredential) => ({
  id: c.id,
  site_id: c.siteId,
  name: c.name,
  username: c.username,
  created_at: iso(c.createdAt),
});

export const str = { type: 'string' };
export const time = { type: 'string', format: 'date-time' };
export const deploySchema: JsonSchema = {
  type: 'object',
  properties: {
    id: str,
    site_id: str,
    ref: str,
    message: { type: ['string', 'null'] },
    status: { enum: ['recorded'] },
    created_by_key_id: str,
    created_at: time,
  },
};
export const domainSchema: JsonSchema = { type: 'object', properties: { hostname: str, created_at: time } };
export const envSchema: JsonSchema = { type: 'object', properties: { variables: { type: 'object', additionalProperties: str } } };
export const backupSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: str,
    site_id: str,
    label: { type: ['string', 'null'] },
    status: { enum: ['completed'] },
    size_bytes: { type: 'integer' },
    created_at: time,
  },
};
const credentialMetadata = { id: str, site_id: str, name: str, username: str, created_at: time };
/** What POST answers: never the password. */
export const credentialSchema: JsonSchema = { type: 'object', properties: credentialMetadata };
/** What GET lists, to credentials:read only. */
export const credentialWithPasswordSchema: JsonSchema = { type: 'object', properties: { ...credentialMetadata, password: str } };
