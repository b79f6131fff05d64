/**
 * WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold (every 1000 pages, ~ every hundred mints): that commit copies the WAL into
 * the database file and fsyncs it while the event loop waits, and every request queued behind it
 * (an anonymous GET /v1/scopes included) waits too. The server turns the automatic checkpoint off
 * on its connection and runs PASSIVE checkpoints from a worker thread with its own connection
 * instead: PASSIVE never blocks writers or readers, and the fsync happens on the worker's thread.
 *
 * The worker is plain JavaScript given as source (it only needs better-sqlite3), so it runs the
 * same from tsx, from the build and under jest. When it stops, fails to start or dies, the connection
 * falls back to the automatic checkpoint.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export const CHECKPOINT_INTERVAL_MS = 250;
/** SQLite's default automatic checkpoint threshold, restored when the worker is gone. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } finally { db.close(); parentPort.close(); }
});
`;

export interface WalCheckpointer {
  /** Stops the worker after one last checkpoint; resolves when it has exited. */
  stop(): Promise<void>;
}

export function startWalCheckpointer(db: Database.Database, intervalMs: number = CHECKPOINT_INTERVAL_MS): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: db.name, intervalMs, driver: require.resolve('better-sqlite3') },
  });
  worker.unref(); // never what keeps a process alive
  db.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  const fallBack = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
  };
  worker.once('error', fallBack);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('exit', fallBack);
  return {
    stop() {
      if (!stopping) {
        stopping = true;
        worker.postMessage('stop');
      }
      return exited;
    },
  };
}
