import type { Migration } from '../migrate';

/**
 * Ephemeral keys (minted by Terraform's `ephemeral "managed_api_key"`): marked so that only they
 * may have the short lifetimes (5m–24h) and only they can be renewed. Existing keys are not.
 */
export const migration: Migration = {
  version: 30,
  name: 'ephemeral_keys',
  up: `
    ALTER TABLE api_keys ADD COLUMN ephemeral INTEGER NOT NULL DEFAULT 0 CHECK (ephemeral IN (0, 1));
  `,
};
