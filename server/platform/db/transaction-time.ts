import { sql } from 'kysely';
import type { Tx } from './database';

/**
 * The transaction's time (PostgreSQL now()): the same instant as the record's
 * created_at / updated_at in this write, so durations (sales cycle, time in stage)
 * computed from them are exact.
 */
export async function transactionTime(tx: Tx): Promise<string> {
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(tx);
  const now = rows[0]?.now;
  return (now instanceof Date ? now : new Date()).toISOString();
}
