import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { PriceBookSchema, PriceEntrySchema } from '../../../common/contracts/sales';
import type { Tx } from '../../platform/db/database';
import { isPgError } from '../../platform/db/pg-errors';
import { AppError } from '../../platform/http/errors';
import { SCHEMA_CHANNEL } from '../../platform/records/custom-fields.service';
import { normaliseDecimal } from '../../platform/records/field-types';
import type { SelectOption } from '../../platform/records/types';

export type PriceBook = z.infer<typeof PriceBookSchema>;

export type PriceBookEntry = z.infer<typeof PriceEntrySchema>;

interface BookRow {
  id: string;
  name: string;
  description: string | null;
  is_standard: boolean;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const presentBook = (r: BookRow): PriceBook => ({
  id: r.id,
  name: r.name,
  description: r.description,
  isStandard: r.is_standard,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const presentEntry = (r: {
  price_book_id: string;
  product_id: string;
  currency: string;
  unit_price: string;
  updated_at: Date;
}): PriceBookEntry => ({
  priceBookId: r.price_book_id,
  productId: r.product_id,
  currency: r.currency,
  unitPrice: normaliseDecimal(String(r.unit_price)),
  updatedAt: r.updated_at.toISOString(),
});

export async function listPriceBooks(tx: Tx): Promise<PriceBook[]> {
  const { rows } = await sql<BookRow>`select * from price_books order by is_standard desc, name, id`.execute(tx);
  return rows.map(presentBook);
}

export async function getPriceBook(tx: Tx, id: string): Promise<PriceBook> {
  const { rows } = await sql<BookRow>`select * from price_books where id = ${id}`.execute(tx);
  if (!rows[0]) throw new AppError('not_found', 'Price book not found');
  return presentBook(rows[0]);
}

export async function standardPriceBookId(tx: Tx): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`select id from price_books where is_standard`.execute(tx);
  return rows[0]?.id;
}

/** Options of quotes.priceBookId. */
export async function priceBookOptions(tx: Tx): Promise<Record<string, SelectOption[]>> {
  const books = await listPriceBooks(tx);
  return {
    priceBookId: books.map((b) => ({
      value: b.id,
      label: b.name,
      meta: { isStandard: b.isStandard, active: b.active },
    })),
  };
}

async function notify(tx: Tx) {
  await sql`select pg_notify(${SCHEMA_CHANNEL}, rapport_workspace()::text)`.execute(tx);
}

const nameTaken = (err: unknown) =>
  isPgError(err, 'uniqueViolation')
    ? new AppError('already_exists', 'Another price book has this name', {
        errors: [{ path: 'name', message: 'is used by another price book' }],
      })
    : err;

export async function createPriceBook(
  tx: Tx,
  workspaceId: string,
  input: { name: string; description?: string | null; active?: boolean },
): Promise<PriceBook> {
  const id = uuidv7();
  try {
    await sql`insert into price_books (workspace_id, id, name, description, active)
      values (${workspaceId}, ${id}, ${input.name.trim()}, ${input.description ?? null}, ${input.active ?? true})`.execute(
      tx,
    );
  } catch (err) {
    throw nameTaken(err);
  }
  await notify(tx);
  return getPriceBook(tx, id);
}

export async function updatePriceBook(
  tx: Tx,
  id: string,
  input: { name?: string; description?: string | null; active?: boolean },
): Promise<PriceBook> {
  const book = await getPriceBook(tx, id);
  if (book.isStandard && input.active === false) {
    throw new AppError('validation_failed', 'The standard price book is always active', {
      errors: [{ path: 'active', message: 'the standard price book cannot be deactivated' }],
    });
  }
  try {
    await sql`update price_books set
      name = ${input.name?.trim() ?? book.name},
      description = ${input.description === undefined ? book.description : input.description},
      active = ${input.active ?? book.active}, updated_at = now()
      where id = ${id}`.execute(tx);
  } catch (err) {
    throw nameTaken(err);
  }
  await notify(tx);
  return getPriceBook(tx, id);
}

/** Deletes a price book and its entries; quotes keep their (frozen) line prices. */
export async function deletePriceBook(tx: Tx, id: string): Promise<void> {
  const book = await getPriceBook(tx, id);
  if (book.isStandard) throw new AppError('conflict', 'The standard price book cannot be deleted');
  await sql`delete from price_books where id = ${id}`.execute(tx);
  await notify(tx);
}

export async function listEntries(
  tx: Tx,
  filter: { priceBookId?: string; productId?: string; currency?: string },
): Promise<PriceBookEntry[]> {
  const { rows } = await sql<{
    price_book_id: string;
    product_id: string;
    currency: string;
    unit_price: string;
    updated_at: Date;
  }>`select e.price_book_id, e.product_id, e.currency, e.unit_price, e.updated_at
     from price_book_entries e
     where true
       ${filter.priceBookId ? sql`and e.price_book_id = ${filter.priceBookId}` : sql``}
       ${filter.productId ? sql`and e.product_id = ${filter.productId}::uuid` : sql``}
       ${filter.currency ? sql`and e.currency = ${filter.currency}` : sql``}
     order by e.price_book_id, e.product_id, e.currency
     limit 5000`.execute(tx);
  return rows.map(presentEntry);
}

/** Sets prices (insert or replace) in one price book; products must exist and be visible (checked by the caller). */
export async function upsertEntries(
  tx: Tx,
  workspaceId: string,
  priceBookId: string,
  entries: { productId: string; currency: string; unitPrice: string }[],
): Promise<PriceBookEntry[]> {
  await getPriceBook(tx, priceBookId);
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const key = `${e.productId}:${e.currency}`;
    if (seen.has(key))
      throw new AppError('validation_failed', 'A product and currency appear twice', {
        errors: [{ path: `entries.${i}`, message: 'repeats an earlier entry (same product and currency)' }],
      });
    seen.add(key);
  });
  if (entries.length) {
    await sql`insert into price_book_entries (workspace_id, price_book_id, product_id, currency, unit_price)
      select ${workspaceId}::uuid, ${priceBookId}, v.product_id, v.currency, v.unit_price
      from jsonb_to_recordset(${JSON.stringify(
        entries.map((e) => ({ product_id: e.productId, currency: e.currency, unit_price: e.unitPrice })),
      )}::jsonb) as v(product_id uuid, currency text, unit_price numeric)
      on conflict (workspace_id, price_book_id, product_id, currency)
      do update set unit_price = excluded.unit_price, updated_at = now()`.execute(tx);
  }
  return listEntries(tx, { priceBookId });
}

export async function deleteEntry(tx: Tx, priceBookId: string, productId: string, currency: string): Promise<void> {
  const { rows } = await sql`delete from price_book_entries
    where price_book_id = ${priceBookId} and product_id = ${productId}::uuid and currency = ${currency}
    returning 1`.execute(tx);
  if (rows.length === 0) throw new AppError('not_found', 'No such price in this price book');
}

/** The price of a product in a price book and currency, if set. */
export async function priceOf(
  tx: Tx,
  priceBookId: string,
  productId: string,
  currency: string,
): Promise<string | undefined> {
  const { rows } = await sql<{ unit_price: string }>`select unit_price from price_book_entries
    where price_book_id = ${priceBookId} and product_id = ${productId}::uuid and currency = ${currency}`.execute(tx);
  return rows[0] ? normaliseDecimal(String(rows[0].unit_price)) : undefined;
}
