import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import type { BeforeWrite } from '../../platform/records/types';
import { detectLanguage, flaggedKeywords, sentimentOf } from './sentiment';

/** The workspace's brand names and keywords to flag (social_settings), in the write's transaction. */
export async function workspaceKeywords(tx: Tx): Promise<string[]> {
  const { rows } = await sql<{ keywords: string[] }>`
    select keywords from social_settings where workspace_id = rapport_workspace()`.execute(tx);
  return rows[0]?.keywords ?? [];
}

/**
 * Derives, on every write that sets the text: the AFINN sentiment, the language and the
 * flagged keywords; on create, a negative message is high priority unless a priority was given.
 */
export async function beforeSocialMessageWrite(tx: Tx, w: BeforeWrite) {
  const set: Record<string, unknown> = {};
  if (w.mode === 'create' || 'text' in w.changes) {
    const text = typeof w.changes.text === 'string' ? w.changes.text : '';
    const score = sentimentOf(text);
    set.sentiment = score;
    set.language = detectLanguage(text);
    set.flaggedKeywords = flaggedKeywords(text, await workspaceKeywords(tx));
    if (w.mode === 'create' && w.changes.priority == null) set.priority = score < 0 ? 'high' : 'normal';
  }
  if (w.mode === 'create') {
    if (w.changes.status == null) set.status = w.changes.direction === 'outbound' ? 'answered' : 'new';
    if (w.changes.direction == null) set.direction = 'inbound';
    // A reply written here starts as "sending"; the adapter's outcome is written by the system.
    set.deliveryStatus = w.changes.direction === 'outbound' ? 'sending' : 'received';
  }
  return { set };
}
