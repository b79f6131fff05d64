/**
 * Everything a request handler may use, built once per server (or CLI run) over one database
 * connection. New areas add their repositories and services here.
 */
import type { Clock } from '../clock';
import type { ControlPlaneConfig } from '../config';
import { loadPepper } from '../storage/pepper';
import { AccountRepository } from '../storage/account-repository';
import { Db, openDatabase } from '../storage/database';
import { IdempotencyRepository } from '../storage/idempotency-repository';
import { KeyRepository } from '../storage/key-repository';
import { PrincipalRepository } from '../storage/principal-repository';
import { Authenticator } from './authenticator';
import { IdempotencyService } from './idempotency-service';
import { KeyService } from './key-service';

export interface AppServices {
  readonly config: ControlPlaneConfig;
  readonly clock: Clock;
  readonly db: Db;
  readonly pepper: Buffer;
  readonly accounts: AccountRepository;
  readonly principals: PrincipalRepository;
  readonly keys: KeyRepository;
  readonly idempotencyRecords: IdempotencyRepository;
  readonly authenticator: Authenticator;
  readonly keyService: KeyService;
  readonly idempotency: IdempotencyService;
}

export function createServices(config: ControlPlaneConfig, clock: Clock): AppServices {
  const db = openDatabase(config.dataDir);
  const pepper = loadPepper(config.dataDir, config.pepper);
  const accounts = new AccountRepository(db);
  const principals = new PrincipalRepository(db);
  const keys = new KeyRepository(db);
  const idempotencyRecords = new IdempotencyRepository(db);
  return {
    config,
    clock,
    db,
    pepper,
    accounts,
    principals,
    keys,
    idempotencyRecords,
    authenticator: new Authenticator(pepper, keys, principals),
    keyService: new KeyService({ db, pepper, keys, principals, accounts }),
    idempotency: new IdempotencyService(pepper, idempotencyRecords),
  };
}
