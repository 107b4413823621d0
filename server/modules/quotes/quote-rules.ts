import { sql } from 'kysely';
import { withArticle } from '../../../common/validation-messages';
import type { Tx } from '../../platform/db/database';
import { transactionTime } from '../../platform/db/transaction-time';
import { emitEvent } from '../../platform/events/events';
import type { FieldError } from '../../platform/http/errors';
import type { AfterWrite, BeforeWrite } from '../../platform/records/types';
import { standardPriceBookId } from '../products';
import { type LineAmounts, quoteTotals } from './quote-totals';

/** Fields an accepted quote still lets change (it is a signed document otherwise). */
const AFTER_ACCEPTANCE = new Set(['ownerId', 'teamId', 'tags', 'description']);

/** The stored line amounts of a quote. */
export async function storedLineAmounts(tx: Tx, quoteId: string): Promise<LineAmounts[]> {
  const { rows } = await sql<LineAmounts>`
    select gross::text as gross, discount::text as discount, (gross - discount)::text as net, tax::text as tax,
           total::text as total
    from quote_line_items where quote_id = ${quoteId}::uuid order by position`.execute(tx);
  return rows;
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

/**
 * Every quote write (single, PATCH, batch): status rules (new quotes are draft or sent;
 * accepting needs a draft or sent quote that is still valid; an accepted quote is
 * final), the currency (from the opportunity's amount when not given), the standard
 * price book by default, the account from the opportunity, and the totals recomputed
 * from the stored line items.
 */
export async function beforeQuoteWrite(
  tx: Tx,
  w: BeforeWrite,
): Promise<{ errors?: FieldError[]; set?: Record<string, unknown> }> {
  const { changes, before, pathPrefix: p } = w;
  const has = (k: string) => k in changes;
  const errors: FieldError[] = [];
  const set: Record<string, unknown> = {};
  if (before?.status === 'accepted') {
    const locked = Object.keys(changes).filter((k) => !AFTER_ACCEPTANCE.has(k));
    if (locked.length) {
      return { errors: locked.map((k) => ({ path: `${p}${k}`, message: 'an accepted quote cannot be changed' })) };
    }
  }
  const status = (has('status') ? changes.status : before?.status) ?? 'draft';
  if (!before) {
    if (!['draft', 'sent'].includes(status as string))
      errors.push({ path: `${p}status`, message: 'a new quote is draft or sent' });
    if (!has('status')) set.status = 'draft';
  }
  if (has('status') && changes.status === 'accepted' && before?.status !== 'accepted') {
    if (!['draft', 'sent'].includes(before?.status as string)) {
      errors.push({ path: `${p}status`, message: `${withArticle(String(before?.status))} quote cannot be accepted` });
    }
    const validUntil = (has('validUntil') ? changes.validUntil : before?.validUntil) as string | null;
    if (validUntil && validUntil < todayUtc()) {
      errors.push({ path: `${p}status`, message: `the quote expired on ${validUntil}` });
    }
    set.acceptedAt = await transactionTime(tx);
  }
  if (status === 'sent' && !before?.sentAt) {
    set.sentAt = await transactionTime(tx);
  }
  const opportunityId = (has('opportunityId') ? changes.opportunityId : before?.opportunityId) as string;
  if (before && has('opportunityId') && changes.opportunityId !== before.opportunityId && before.status !== 'draft') {
    errors.push({ path: `${p}opportunityId`, message: 'only a draft quote moves to another opportunity' });
  }
  let currency = (has('currency') ? changes.currency : before?.currency) as string | null | undefined;
  if (!currency || (!before && !has('accountId'))) {
    const { rows } = await sql<{ account_id: string | null; amount_currency: string | null }>`
      select account_id, amount_currency from opportunities where id = ${opportunityId}::uuid`.execute(tx);
    if (!currency && rows[0]?.amount_currency) {
      currency = rows[0].amount_currency;
      set.currency = currency;
    }
    if (!before && !has('accountId') && rows[0]?.account_id) set.accountId = rows[0].account_id;
  }
  if (!currency) {
    errors.push({ path: `${p}currency`, message: 'is required (the opportunity has no amount to take it from)' });
    return { errors };
  }
  if (before && has('currency') && currency !== before.currency) {
    const lines = await storedLineAmounts(tx, before.id as string);
    if (lines.length)
      errors.push({ path: `${p}currency`, message: 'remove the line items before changing the currency' });
  }
  if (!before && !has('priceBookId')) set.priceBookId = (await standardPriceBookId(tx)) ?? null;
  const lines = before ? await storedLineAmounts(tx, before.id as string) : [];
  const totals = quoteTotals(lines, currency);
  for (const [k, v] of Object.entries(totals)) set[k] = { amount: v, currency };
  return { errors, set };
}

/** `quote.accepted` when a quote becomes accepted (with the change). */
export async function afterQuoteWrite(tx: Tx, w: AfterWrite): Promise<void> {
  if (w.after.status !== 'accepted' || w.before?.status === 'accepted') return;
  await emitEvent(tx, w.actor, {
    type: 'quote.accepted',
    object: 'quotes',
    recordId: w.after.id as string,
    data: { quoteId: w.after.id, number: w.after.number, opportunityId: w.after.opportunityId, total: w.after.total },
  });
}
