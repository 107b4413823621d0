import Decimal from 'decimal.js';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { TRecord } from '../../../common/contracts/records';
import type { QuoteLineInput } from '../../../common/contracts/sales';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, type FieldError } from '../../platform/http/errors';
import { normaliseDecimal } from '../../platform/records/field-types';
import type { RecordContext, RecordData, RecordService } from '../../platform/records/records.service';
import { stagesOf } from '../pipelines';
import { priceOf } from '../products';
import { renderQuotePdf } from './quote-pdf';
import { lineAmounts, minorDigits } from './quote-totals';

export type LineInput = z.infer<typeof QuoteLineInput>;

/** A record the engine answered with (it always has id and version: the record shape of the contract). */
const asRecord = (record: RecordData) => record as TRecord;

interface LineRow {
  id: string;
  position: number;
  product_id: string | null;
  name: string;
  description: string | null;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_rate: string;
  gross: string;
  discount: string;
  tax: string;
  total: string;
}

const n = (v: unknown) => normaliseDecimal(String(v));

export async function readLines(tx: Tx, quoteId: string) {
  const { rows } = await sql<
    LineRow & { currency: string }
  >`select l.id, l.position, l.product_id, l.name, l.description,
      l.quantity, l.unit_price, l.discount_percent, l.tax_rate, l.gross, l.discount, l.tax, l.total, q.currency
    from quote_line_items l join quotes q on q.id = l.quote_id
    where l.quote_id = ${quoteId}::uuid order by l.position`.execute(tx);
  // Amounts with the currency's decimals, as computed (stored with 4).
  const money = (v: string, currency: string) => new Decimal(v).toFixed(minorDigits(currency));
  return rows.map((r) => ({
    id: r.id,
    position: r.position,
    productId: r.product_id,
    name: r.name,
    description: r.description,
    quantity: n(r.quantity),
    unitPrice: n(r.unit_price),
    discountPercent: n(r.discount_percent),
    taxRate: n(r.tax_rate),
    gross: money(r.gross, r.currency),
    discount: money(r.discount, r.currency),
    tax: money(r.tax, r.currency),
    total: money(r.total, r.currency),
  }));
}

/** The quote's amounts: a role that cannot see one of them sees no line amounts either. */
const QUOTE_AMOUNTS = ['subtotal', 'discountTotal', 'taxTotal', 'total'];
const LINE_AMOUNTS = ['unitPrice', 'discountPercent', 'taxRate', 'gross', 'discount', 'tax', 'total'] as const;

function hidesAmounts(ctx: RecordContext): boolean {
  return QUOTE_AMOUNTS.some((f) => !ctx.schema.field(f));
}

/** Lines as the caller may see them: without amounts when their role hides the quote's. */
function linesFor(ctx: RecordContext, lines: Awaited<ReturnType<typeof readLines>>) {
  if (!hidesAmounts(ctx)) return lines;
  return lines.map((l) => {
    const out: Partial<typeof l> = { ...l };
    for (const k of LINE_AMOUNTS) delete out[k];
    return out as Omit<typeof l, (typeof LINE_AMOUNTS)[number]>;
  });
}

/** The line items of a quote the caller can read. */
export async function listLines(tx: Tx, records: RecordService, actor: Actor, quoteId: string) {
  const ctx = await records.require(tx, actor, 'quotes', quoteId, 'read');
  return linesFor(ctx, await readLines(tx, quoteId));
}

const pct = (v: string, path: string, errors: FieldError[]) => {
  if (Number(v) > 100) errors.push({ path, message: 'must be between 0 and 100' });
};

/**
 * Replaces the line items of a draft quote. Missing prices come from the quote's price
 * book in its currency, missing tax rates from the product; amounts and the quote's
 * totals are computed on the server (quote-totals.ts) and the quote's version moves on.
 */
export async function setLines(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  quoteId: string,
  lines: LineInput[],
  ifMatch?: number,
): Promise<{ quote: TRecord; lines: ReturnType<typeof linesFor> }> {
  const ctx = await records.require(tx, actor, 'quotes', quoteId, 'update');
  const { rows } = await sql<{ status: string; currency: string; price_book_id: string | null; version: number }>`
    select status, currency, price_book_id, version from quotes where id = ${quoteId}::uuid`.execute(tx);
  const quote = rows[0];
  if (!quote) throw new AppError('not_found', 'Quote not found');
  if (ifMatch !== undefined && quote.version !== ifMatch) {
    throw new AppError(
      'precondition_failed',
      `This quote was changed by someone else (now version ${quote.version}); reload it and retry`,
    );
  }
  if (quote.status !== 'draft') {
    throw new AppError('conflict', `Only a draft quote's lines can change (this one is ${quote.status})`);
  }
  const productIds = [...new Set(lines.map((l) => l.productId).filter((p): p is string => !!p))];
  const visible = await records.visibleIds(tx, ctx, 'products', productIds);
  const { rows: products } = visible.size
    ? await sql<{ id: string; name: string; tax_rate: string | null; active: boolean }>`
        select id, name, tax_rate, active from products where id = any(${[...visible]}::uuid[])`.execute(tx)
    : { rows: [] };
  const byId = new Map(products.map((p) => [p.id, p]));
  const errors: FieldError[] = [];
  const prepared: (LineInput & { name: string; unitPrice: string; discountPercent: string; taxRate: string })[] = [];
  for (const [i, l] of lines.entries()) {
    const at = (f: string) => `lines.${i}.${f}`;
    const product = l.productId ? byId.get(l.productId) : undefined;
    if (l.productId && !product) {
      errors.push({ path: at('productId'), message: 'points to a record that does not exist' });
      continue;
    }
    if (product && !product.active) errors.push({ path: at('productId'), message: 'is an inactive product' });
    if (!product && !l.name) errors.push({ path: at('name'), message: 'is required for a line without a product' });
    if (Number(l.quantity) <= 0) errors.push({ path: at('quantity'), message: 'must be greater than 0' });
    let unitPrice = l.unitPrice;
    if (unitPrice === undefined) {
      if (product && quote.price_book_id)
        unitPrice = await priceOf(tx, quote.price_book_id, product.id, quote.currency);
      if (unitPrice === undefined) {
        errors.push({
          path: at('unitPrice'),
          message: product
            ? `is required: the product has no ${quote.currency} price in the quote's price book`
            : 'is required for a line without a product',
        });
        continue;
      }
    }
    const discountPercent = l.discountPercent ?? '0';
    const taxRate = l.taxRate ?? (product?.tax_rate != null ? n(product.tax_rate) : '0');
    pct(discountPercent, at('discountPercent'), errors);
    pct(taxRate, at('taxRate'), errors);
    prepared.push({ ...l, name: l.name ?? product?.name ?? '', unitPrice, discountPercent, taxRate });
  }
  if (errors.length) throw new AppError('validation_failed', 'Invalid quote lines', { errors });
  await sql`delete from quote_line_items where quote_id = ${quoteId}::uuid`.execute(tx);
  for (const [i, l] of prepared.entries()) {
    const a = lineAmounts(l, quote.currency);
    await sql`insert into quote_line_items (workspace_id, quote_id, id, position, product_id, name, description,
        quantity, unit_price, discount_percent, tax_rate, gross, discount, tax, total)
      values (${actor.workspaceId}, ${quoteId}, ${uuidv7()}, ${i}, ${l.productId ?? null}, ${l.name}, ${l.description ?? null},
        ${l.quantity}, ${l.unitPrice}, ${l.discountPercent}, ${l.taxRate}, ${a.gross}, ${a.discount}, ${a.tax}, ${a.total})`.execute(
      tx,
    );
  }
  // An empty update: the quote's rules recompute the totals from the new lines, with audit and version.
  const updated = await records.update(tx, actor, 'quotes', quoteId, {});
  return { quote: asRecord(updated), lines: linesFor(ctx, await readLines(tx, quoteId)) };
}

/**
 * Accepts a draft or sent quote that is still valid; with `closeOpportunity` (default)
 * its opportunity moves to its pipeline's first won stage with the quote's total as
 * amount. Both changes go through the record engine (permissions, rules, audit, events).
 */
export async function acceptQuote(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  quoteId: string,
  opts: { closeOpportunity?: boolean },
): Promise<{ quote: TRecord; opportunity: TRecord | null }> {
  await records.require(tx, actor, 'quotes', quoteId, 'update');
  const quote = asRecord(await records.update(tx, actor, 'quotes', quoteId, { status: 'accepted' }));
  if (opts.closeOpportunity === false) return { quote, opportunity: null };
  const { rows } = await sql<{ id: string; pipeline_id: string; total_amount: string; total_currency: string }>`
    select o.id, o.pipeline_id, q.total_amount, q.total_currency from quotes q
    join opportunities o on o.id = q.opportunity_id where q.id = ${quoteId}::uuid`.execute(tx);
  const row = rows[0];
  if (!row) return { quote, opportunity: null };
  const won = (await stagesOf(tx, row.pipeline_id)).find((s) => s.kind === 'won');
  if (!won) return { quote, opportunity: null };
  const opportunity = await records.update(tx, actor, 'opportunities', row.id, {
    stageId: won.id,
    amount: { amount: n(row.total_amount), currency: row.total_currency },
  });
  return { quote, opportunity: asRecord(opportunity) };
}

/** The PDF of a quote the caller can read (refused when their role hides its totals). */
export async function quotePdf(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  quoteId: string,
): Promise<{ pdf: Buffer; number: number }> {
  const quote = await records.get(tx, actor, 'quotes', quoteId, { include: ['account', 'contact'] });
  const money = (k: string) => (quote[k] as { amount: string } | null | undefined)?.amount;
  const total = money('total');
  const ctx = await records.context(tx, actor, 'quotes', 'read');
  if (total === undefined || hidesAmounts(ctx)) throw new AppError('forbidden', 'Your role may not see quote amounts');
  const { rows } = await sql<{ name: string }>`select name from workspaces where id = ${actor.workspaceId}`.execute(tx);
  const account = quote.account as { name?: string } | null;
  const contact = quote.contact as { firstName?: string | null; lastName?: string | null } | null;
  const lines = await readLines(tx, quoteId);
  const pdf = await renderQuotePdf({
    workspaceName: rows[0]?.name ?? 'Rapport',
    number: quote.number as number,
    name: quote.name as string,
    status: quote.status as string,
    createdAt: quote.createdAt as string,
    validUntil: (quote.validUntil as string | null) ?? null,
    currency: quote.currency as string,
    accountName: account?.name ?? null,
    contactName: contact ? [contact.firstName, contact.lastName].filter(Boolean).join(' ') || null : null,
    terms: (quote.terms as string | null | undefined) ?? null,
    lines,
    subtotal: money('subtotal') ?? '0',
    discountTotal: money('discountTotal') ?? '0',
    taxTotal: money('taxTotal') ?? '0',
    total,
  });
  return { pdf, number: quote.number as number };
}
