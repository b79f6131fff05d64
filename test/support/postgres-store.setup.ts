/** setupFiles of the `postgres` jest project: its control planes run on PostgreSQL (test/support/test-store.ts). */
import { TEST_STORE_ENV } from './test-store';

process.env[TEST_STORE_ENV] = 'postgres';
