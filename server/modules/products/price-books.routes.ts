import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PriceBookRequest, PriceBookSchema, PriceEntrySchema, SetPricesRequest } from '../../../common/contracts/sales';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import { invalidateSchemas } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import {
  createPriceBook,
  deleteEntry,
  deletePriceBook,
  getPriceBook,
  listEntries,
  listPriceBooks,
  updatePriceBook,
  upsertEntries,
} from './price-books.service';

const IdParam = z.object({ id: z.string().min(1).max(64) }).strict();
const tags = ['Price books'];

/**
 * Price books and their prices. Reading needs read access to products; changing them
 * needs update access to products (administrators by default).
 */
export function priceBookRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  const read = <T>(actor: Actor, fn: (tx: Tx) => Promise<T>) =>
    database.tenantRead(actor.workspaceId, async (tx) => {
      (await records.access.policy(tx, actor)).assert('products', 'read');
      return fn(tx);
    });
  const change = async <T>(actor: Actor, fn: (tx: Tx) => Promise<T>, books = false) => {
    try {
      return await database.tenant(actor.workspaceId, async (tx) => {
        (await records.access.policy(tx, actor)).assert('products', 'update');
        return fn(tx);
      });
    } finally {
      if (books) invalidateSchemas(actor.workspaceId); // quotes.priceBookId options
    }
  };

  return async (app) => {
    app.get(
      '/api/v1/price-books',
      {
        schema: {
          tags,
          summary: 'Price books (standard first)',
          response: { 200: z.object({ data: z.array(PriceBookSchema) }) },
        },
      },
      async (req) => ({ data: await read(actorOf(req), listPriceBooks) }),
    );
    app.post(
      '/api/v1/price-books',
      {
        schema: {
          tags,
          summary: 'Create a price book',
          body: PriceBookRequest,
          response: { 201: z.object({ data: PriceBookSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await change(actor, (tx) => createPriceBook(tx, actor.workspaceId, req.body), true);
        return reply.status(201).header('location', `/api/v1/price-books/${data.id}`).send({ data });
      },
    );
    app.get(
      '/api/v1/price-books/:id',
      {
        schema: {
          tags,
          summary: 'One price book',
          params: IdParam,
          response: { 200: z.object({ data: PriceBookSchema }) },
        },
      },
      async (req) => ({ data: await read(actorOf(req), (tx) => getPriceBook(tx, req.params.id)) }),
    );
    app.patch(
      '/api/v1/price-books/:id',
      {
        schema: {
          tags,
          summary: 'Rename, describe, activate or deactivate a price book',
          params: IdParam,
          body: PriceBookRequest.partial().strict(),
          response: { 200: z.object({ data: PriceBookSchema }) },
        },
      },
      async (req) => ({ data: await change(actorOf(req), (tx) => updatePriceBook(tx, req.params.id, req.body), true) }),
    );
    app.delete(
      '/api/v1/price-books/:id',
      {
        schema: {
          tags,
          summary: 'Delete a price book and its prices (not the standard one); quotes keep their line prices',
          params: IdParam,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await change(actorOf(req), (tx) => deletePriceBook(tx, req.params.id), true);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/v1/price-books/:id/entries',
      {
        schema: {
          tags,
          summary: 'Prices in a price book (product × currency)',
          params: IdParam,
          querystring: z.object({ productId: z.uuid().optional(), currency: z.string().length(3).optional() }).strict(),
          response: { 200: z.object({ data: z.array(PriceEntrySchema) }) },
        },
      },
      async (req) => ({
        data: await read(actorOf(req), async (tx) => {
          await getPriceBook(tx, req.params.id);
          return listEntries(tx, {
            priceBookId: req.params.id,
            ...req.query,
            currency: req.query.currency?.toUpperCase(),
          });
        }),
      }),
    );
    app.put(
      '/api/v1/price-books/:id/entries',
      {
        schema: {
          tags,
          summary: 'Set prices (insert or replace per product and currency); returns every price of the book',
          params: IdParam,
          body: SetPricesRequest,
          response: { 200: z.object({ data: z.array(PriceEntrySchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await change(actor, async (tx) => {
          const ctx = await records.context(tx, actor, 'products', 'update');
          const ok = await records.visibleIds(
            tx,
            ctx,
            'products',
            req.body.entries.map((e) => e.productId),
          );
          const errors = req.body.entries
            .map((e, i) => ({ e, i }))
            .filter(({ e }) => !ok.has(e.productId))
            .map(({ i }) => ({ path: `entries.${i}.productId`, message: 'points to a record that does not exist' }));
          if (errors.length) throw new AppError('validation_failed', 'Unknown products', { errors });
          return upsertEntries(tx, actor.workspaceId, req.params.id, req.body.entries);
        });
        return { data };
      },
    );
    app.delete(
      '/api/v1/price-books/:id/entries/:productId/:currency',
      {
        schema: {
          tags,
          summary: 'Remove one price',
          params: z
            .object({ id: z.string().min(1).max(64), productId: z.uuid(), currency: z.string().length(3) })
            .strict(),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await change(actorOf(req), (tx) =>
          deleteEntry(tx, req.params.id, req.params.productId, req.params.currency.toUpperCase()),
        );
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/v1/products/:id/prices',
      {
        schema: {
          tags: ['Products', ...tags],
          summary: 'Prices of a product in every price book and currency',
          params: z.object({ id: z.uuid() }).strict(),
          response: { 200: z.object({ data: z.array(PriceEntrySchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          await records.require(tx, actor, 'products', req.params.id, 'read');
          return listEntries(tx, { productId: req.params.id });
        });
        return { data };
      },
    );
  };
}
