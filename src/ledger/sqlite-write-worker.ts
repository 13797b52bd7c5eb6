/*
 * The SQLite ledger's writer thread (built to dist/sqlite-write-worker.js). It owns a second
 * connection to a ledger file the main thread has already opened, checked and migrated, and
 * commits the batches posted to it, one transaction each, replying to every request in order
 * once it is committed or has failed. better-sqlite3 is synchronous: here its inserts and
 * commits use another core instead of holding the event loop of the process making LLM calls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type SqliteBatch, sqliteBatchWriter } from './sqlite-batch.js';
import type { WriteThreadData, WriteThreadReply, WriteThreadRequest } from './sqlite-write-thread.js';

const port = parentPort;
if (!port) throw new Error('sqlite-write-worker runs as a worker thread of the SQLite ledger');
const data = workerData as WriteThreadData;

let db: Database.Database | undefined;
let writeBatch: ((batch: SqliteBatch) => void) | undefined;

function open(): (batch: SqliteBatch) => void {
  if (db && writeBatch) return writeBatch;
  // fileMustExist: the main thread created the file; if it has since been moved away, fail
  // (and retry later) rather than write into a new, empty file.
  const connection = new Database(data.path, { timeout: data.busyTimeoutMs, fileMustExist: true });
  try {
    connection.pragma(`synchronous = ${data.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    writeBatch = sqliteBatchWriter(connection);
  } catch (error) {
    connection.close();
    throw error;
  }
  db = connection;
  return writeBatch;
}

function failure(error: unknown): WriteThreadReply['error'] {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

port.on('message', (request: WriteThreadRequest) => {
  let reply: WriteThreadReply;
  try {
    if (request.type === 'close') {
      db?.close();
      db = undefined;
    } else {
      // Opened on the first batch, and again after a failed open, so a file that comes back
      // (a lock released, a disk remounted) is written to on the writer's next retry.
      open()(request.batch);
    }
    reply = { id: request.id };
  } catch (error) {
    reply = { id: request.id, error: failure(error) };
  }
  port.postMessage(reply);
  // Closing the port lets this thread's event loop end, so the main thread sees it exit.
  if (request.type === 'close') port.close();
});
