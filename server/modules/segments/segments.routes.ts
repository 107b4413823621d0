import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RecordPageSchema } from '../../../common/contracts/records';
import {
  MAX_IMPORT_EMAILS,
  SegmentAddMembersBody,
  SegmentIdParam,
  SegmentImportBody,
  SegmentImportResult,
  SegmentMembersBody,
  SegmentMembersResult,
  SegmentPreviewBody,
  SegmentPreviewResult,
} from '../../../common/contracts/segments';
import { actorOf } from '../../platform/http/context';
import { invalidField } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { ListQuery } from '../../platform/records/api-schemas';
import { idempotentPost } from '../../platform/records/idempotency';
import { parseFilter } from '../../platform/records/records.routes';
import {
  addMatching,
  addMembers,
  emailsInCsv,
  importMembers,
  listMembers,
  previewSegment,
  removeMembers,
} from './segments.service';

const tags = ['Segments'];
const CSV_LIMIT = 2 * 1024 * 1024;
// Members are records of the segment's object (with the workspace's custom fields): serialised as they are.
const passthrough = () => (data: unknown) => JSON.stringify(data);

const commaList = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Members, static membership changes (by id or from a CSV of emails) and the editor's live preview. */
export function segmentRoutes({ database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    // A CSV of emails for the import (this plugin only).
    app.addContentTypeParser(
      ['text/csv', 'text/plain'],
      { parseAs: 'string', bodyLimit: CSV_LIMIT },
      (_req, body, done) => done(null, body),
    );

    app.get(
      '/api/v1/segments/:id/members',
      {
        schema: {
          tags,
          summary: 'The segment’s members as a record list of its object (its paging, filter, sort, fields and count)',
          params: SegmentIdParam,
          querystring: ListQuery,
          response: { 200: RecordPageSchema },
        },
        serializerCompiler: passthrough,
      },
      async (req) => {
        const actor = actorOf(req);
        const q = req.query;
        const page = await database.tenantRead(actor.workspaceId, (tx) =>
          listMembers(tx, actor, records, req.params.id, {
            filter: parseFilter(q.filter),
            sort: q.sort,
            limit: q.limit,
            cursor: q.cursor,
            offset: q.offset,
            fields: q.fields,
            include: commaList(q.include),
            count: q.count === 'true',
          }),
        );
        return page as z.infer<typeof RecordPageSchema>;
      },
    );

    app.post(
      '/api/v1/segments/:id/members',
      {
        schema: {
          tags,
          summary:
            'Add records to a static segment, by id or by a filter (up to 1,000 matching); emits segment.entered for each new member',
          params: SegmentIdParam,
          body: SegmentAddMembersBody,
          response: { 200: SegmentMembersResult },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const body = req.body;
        return idempotentPost(database, req, reply, actor, (tx) =>
          'ids' in body
            ? addMembers(tx, actor, records, req.params.id, body.ids)
            : addMatching(tx, actor, records, req.params.id, body.filter),
        );
      },
    );

    app.delete(
      '/api/v1/segments/:id/members',
      {
        schema: {
          tags,
          summary: 'Remove records from a static segment (emits segment.left for each member removed)',
          params: SegmentIdParam,
          body: SegmentMembersBody,
          response: { 200: SegmentMembersResult },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          removeMembers(tx, actor, records, req.params.id, req.body.ids),
        );
        return { data };
      },
    );

    app.post(
      '/api/v1/segments/:id/members/import',
      {
        schema: {
          tags,
          summary:
            'Add the contacts or leads with these emails to a static segment: a CSV (text/csv, any column) or { emails }',
          params: SegmentIdParam,
          body: z.union([SegmentImportBody, z.string().max(CSV_LIMIT)]),
          response: { 200: SegmentImportResult },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const emails = typeof req.body === 'string' ? emailsInCsv(req.body) : req.body.emails;
        if (emails.length === 0) throw invalidField('body', 'holds no email address');
        if (emails.length > MAX_IMPORT_EMAILS)
          throw invalidField('body', `holds more than ${MAX_IMPORT_EMAILS} emails`);
        return idempotentPost(database, req, reply, actor, (tx) =>
          importMembers(tx, actor, records, req.params.id, emails),
        );
      },
    );

    app.post(
      '/api/v1/segments/preview',
      {
        schema: {
          tags,
          summary: 'The live count and first 10 records of a filter being edited, as the caller sees them',
          body: SegmentPreviewBody,
          response: { 200: SegmentPreviewResult },
        },
        serializerCompiler: passthrough,
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) =>
          previewSegment(tx, actor, records, req.body.object, req.body.filter),
        );
        return { data };
      },
    );
  };
}
