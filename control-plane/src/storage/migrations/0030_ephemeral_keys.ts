import type { Migration } from '../migrate';
import { postgresDdl } from './postgres-ddl';

/**
 * Ephemeral keys (minted by Terraform's `ephemeral "managed_api_key"`): marked so that only they
 * may have the short lifetimes (5m–24h) and only they can be renewed. Existing keys are not.
 */
const SQLITE = `
    ALTER TABLE api_keys ADD COLUMN ephemeral INTEGER NOT NULL DEFAULT 0 CHECK (ephemeral IN (0, 1));
  `;

export const migration: Migration = {
  version: 30,
  name: 'ephemeral_keys',
  sqlite: SQLITE,
  postgres: postgresDdl(SQLITE),
};
