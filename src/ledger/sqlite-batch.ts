import type Database from 'better-sqlite3';
import { attemptColumnNames, callColumnNames } from './ledger-columns.js';
import type { AttemptRow, CallRow } from './ledger-store.js';

/*
 * A batch as SQLite binds it: every column value of every row in one flat array, the calls
 * first, then the attempts, each in `callColumnNames` / `attemptColumnNames` order. The same
 * shape is written in this thread or posted to the writer thread (sqlite-write-worker.ts), where
 * cloning a flat array of strings and numbers costs about half of cloning row objects.
 */

export type SqliteValue = string | number | null;

export interface SqliteBatch {
  calls: number;
  attempts: number;
  values: SqliteValue[];
}

const callWidth = callColumnNames.length;
const attemptWidth = attemptColumnNames.length;
const tagsColumn = callColumnNames.indexOf('tags');
const noTags = '[]';

/**
 * Flattens a checked batch (see check-batch.ts). Written out by hand rather than through
 * callToColumns, as it runs on the caller's thread for every row; sqlite-batch.test.ts holds it
 * to the column lists.
 */
export function encodeSqliteBatch(batch: {
  calls: readonly CallRow[];
  attempts: readonly AttemptRow[];
}): SqliteBatch {
  const values: SqliteValue[] = [];
  for (const call of batch.calls) {
    values.push(
      call.requestId,
      call.startedAt,
      call.provider,
      call.model,
      call.gatewayKey ?? null,
      call.project ?? null,
      call.user ?? null,
      call.tags.length === 0 ? noTags : JSON.stringify(call.tags),
      call.inputTokens,
      call.outputTokens,
      call.cachedInputTokens,
      call.reasoningTokens,
      call.costNanos,
      call.latencyMs,
      call.ttftMs ?? null,
      call.status,
      call.errorClass ?? null,
      call.streamed ? 1 : 0,
      call.cache ?? null,
      call.usageSource,
      call.attempts,
    );
  }
  for (const attempt of batch.attempts) {
    values.push(
      attempt.requestId,
      attempt.attempt,
      attempt.startedAt,
      attempt.provider,
      attempt.model,
      attempt.status,
      attempt.httpStatus ?? null,
      attempt.errorClass ?? null,
      attempt.latencyMs,
      attempt.ttftMs ?? null,
      attempt.upstreamRequestId ?? null,
    );
  }
  return { calls: batch.calls.length, attempts: batch.attempts.length, values };
}

function insertSql(table: string, columns: readonly string[], conflict: string): string {
  const placeholders = columns.map(() => '?').join(', ');
  return `insert into ${table} (${columns.join(', ')}) values (${placeholders}) on conflict ${conflict} do nothing`;
}

/** Returns a function writing one encoded batch into `db` in one transaction. */
export function sqliteBatchWriter(db: Database.Database): (batch: SqliteBatch) => void {
  const insertCall = db.prepare(insertSql('calls', callColumnNames, '(request_id)'));
  const insertTag = db.prepare(insertSql('call_tags', ['request_id', 'tag'], '(request_id, tag)'));
  const insertAttempt = db.prepare(insertSql('attempts', attemptColumnNames, '(request_id, attempt)'));
  const transaction = db.transaction((batch: SqliteBatch) => {
    const { values } = batch;
    // Calls this batch stored. A call already stored (a re-sent batch) is skipped with its tags
    // and attempts, so a retry never bills twice nor mixes attempts of two sends.
    const stored = new Set<string>();
    let offset = 0;
    for (let index = 0; index < batch.calls; index++, offset += callWidth) {
      const row = values.slice(offset, offset + callWidth);
      if (insertCall.run(row).changes === 0) continue;
      const requestId = row[0] as string;
      stored.add(requestId);
      const tags = row[tagsColumn];
      if (tags === noTags) continue;
      for (const tag of new Set(JSON.parse(tags as string) as string[])) insertTag.run(requestId, tag);
    }
    for (let index = 0; index < batch.attempts; index++, offset += attemptWidth) {
      if (stored.has(values[offset] as string))
        insertAttempt.run(values.slice(offset, offset + attemptWidth));
    }
  });
  // BEGIN IMMEDIATE takes the write lock up front, so a busy database waits busy_timeout instead
  // of failing at once when a read transaction cannot be upgraded.
  return (batch) => transaction.immediate(batch);
}
