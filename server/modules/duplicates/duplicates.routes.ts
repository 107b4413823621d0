import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DuplicateSchema, MergeRequest } from '../../../common/contracts/sales';
import { withArticle } from '../../../common/validation-messages';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { idempotentPost } from '../../platform/records/idempotency';
import type { RecordService } from '../../platform/records/records.service';
import { DUPLICATE_TARGETS, duplicatesOf, findDuplicates } from './duplicate-finder';
import { MERGEABLE, mergeRecords } from './record-merger';

const IdParam = z.object({ id: z.uuid() }).strict();
const Duplicates = z.object({ data: z.array(DuplicateSchema) });

/** Duplicate detection (before create, or for a stored record) and merging, for contacts, accounts and leads. */
export function duplicateRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    for (const def of records.registry.all().filter((d) => DUPLICATE_TARGETS[d.name])) {
      const base = `/api/v1/${def.name}`;
      const tags = [def.labelPlural, 'Duplicates'];
      app.post(
        `${base}/duplicates`,
        {
          schema: {
            tags,
            summary: `Check ${withArticle(def.singular)} for duplicates before creating it`,
            description:
              'Send the body you would POST. Evidence: same email, same phone (E.164; `shared_phone`, weak, when three or more ' +
              'records hold it), same company domain, or a name at least 60 % similar; each candidate has a score (0–1) and ' +
              '`strong` (≥ 0.85: offer a one-click merge); candidates under 0.5 are left out; only records you can see.',
            body: z.record(z.string(), z.unknown()),
            response: { 200: Duplicates },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          return {
            data: await database.tenantRead(actor.workspaceId, (tx) =>
              findDuplicates(tx, records, actor, def.name, req.body),
            ),
          };
        },
      );
      app.get(
        `${base}/:id/duplicates`,
        {
          schema: {
            tags,
            summary: `Possible duplicates of ${withArticle(def.singular)}`,
            params: IdParam,
            response: { 200: Duplicates },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          return {
            data: await database.tenantRead(actor.workspaceId, (tx) =>
              duplicatesOf(tx, records, actor, def.name, req.params.id),
            ),
          };
        },
      );
      if (!MERGEABLE.has(def.name)) continue;
      app.post(
        `${base}/:id/merge`,
        {
          schema: {
            tags,
            summary: `Merge another ${def.singular} into this one`,
            description:
              'Everything that points at the other record moves here (relations of every object incl. custom relation fields, ' +
              'opportunity contacts, shares, timeline); tags are united; `values` are written here; every email and phone of ' +
              'both records is kept (those not main here become other emails / phones); the other record goes to ' +
              'the trash. Needs update on this record and delete on the other. Audited as record.merged.',
            params: IdParam,
            body: MergeRequest,
            response: { 200: z.object({ data: z.record(z.string(), z.unknown()) }) },
          },
        },
        async (req, reply) => {
          const actor = actorOf(req);
          return idempotentPost(database, req, reply, actor, (tx) =>
            mergeRecords(tx, records, actor, def.name, req.params.id, req.body.otherId, req.body.values ?? {}),
          );
        },
      );
    }
  };
}
