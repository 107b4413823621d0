import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CommentRequest, CommentSchema, TimelinePageSchema } from '../../../common/contracts/timeline';
import { withArticle } from '../../../common/validation-messages';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { idempotentPost } from '../../platform/records/idempotency';
import type { RecordService } from '../../platform/records/records.service';
import { addComment, deleteComment } from './comments.service';
import { suggestTags } from './tags.service';
import { TIMELINE_KINDS, type TimelineKind, TimelineService } from './timeline.service';

const IdParam = z.object({ id: z.uuid() }).strict();
const TimelineQuery = z
  .object({
    kinds: z
      .string()
      .optional()
      .transform((s, ctx) => {
        const list = s
          ? s
              .split(',')
              .map((k) => k.trim())
              .filter(Boolean)
          : [];
        const bad = list.filter((k) => !(TIMELINE_KINDS as readonly string[]).includes(k));
        if (bad.length)
          ctx.addIssue({
            code: 'custom',
            message: `unknown kind ${bad.join(', ')}; one of ${TIMELINE_KINDS.join(', ')}`,
          });
        return list as TimelineKind[];
      }),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(500).optional(),
    includeContacts: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** The timeline and comments of every object (registered once for all), and tag suggestions. */
export function timelineRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  const timeline = new TimelineService(records);
  return async (app) => {
    for (const def of records.registry.all()) {
      const base = `/api/v1/${def.name}/:id`;
      const tags = [def.labelPlural];
      app.get(
        `${base}/timeline`,
        {
          schema: {
            tags,
            summary: `The ${def.singular}'s timeline: history, comments and activities, newest first`,
            description:
              'kinds: comma-separated event, comment, interaction, task, meeting, note. ' +
              (def.name === 'accounts' ? 'includeContacts=true adds the activities of its contacts. ' : '') +
              'Pass page.nextCursor back as cursor for the next page.',
            params: IdParam,
            querystring: TimelineQuery,
            response: { 200: TimelinePageSchema },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          return database.tenantRead(actor.workspaceId, (tx) =>
            timeline.timeline(tx, actor, def.name, req.params.id, {
              kinds: req.query.kinds,
              limit: req.query.limit,
              cursor: req.query.cursor,
              includeContacts: req.query.includeContacts === 'true',
            }),
          );
        },
      );
      app.post(
        `${base}/comments`,
        {
          schema: {
            tags,
            summary: `Comment on ${withArticle(def.singular)}; mention colleagues as @[Name](user:<id>) to notify them`,
            description:
              'Send an Idempotency-Key header to make retries safe: the same key and body within 24 h returns the first response.',
            params: IdParam,
            body: CommentRequest,
            response: { 201: z.object({ data: CommentSchema }) },
          },
        },
        async (req, reply) => {
          const actor = actorOf(req);
          // A retry with the same Idempotency-Key gets the first answer and adds no second comment.
          return idempotentPost(
            database,
            req,
            reply,
            actor,
            (tx) => addComment(tx, actor, records, { object: def.name, recordId: req.params.id, body: req.body.body }),
            201,
          );
        },
      );
    }
    for (const def of records.registry.all()) {
      app.delete(
        `/api/v1/${def.name}/:id/comments/:commentId`,
        {
          schema: {
            tags: [def.labelPlural],
            summary: 'Delete a comment (its author or an administrator)',
            params: z.object({ id: z.uuid(), commentId: z.uuid() }).strict(),
          },
        },
        async (req, reply) => {
          const actor = actorOf(req);
          await database.tenant(actor.workspaceId, (tx) =>
            deleteComment(tx, actor, records, {
              object: def.name,
              recordId: req.params.id,
              commentId: req.params.commentId,
            }),
          );
          return reply.status(204).send();
        },
      );
    }
    app.get(
      '/api/v1/tags',
      {
        schema: {
          tags: ['tags'],
          summary: 'Tags in use, most used first (autocomplete)',
          querystring: z
            .object({
              object: z.string().max(63).optional(),
              q: z.string().max(100).optional(),
              limit: z.coerce.number().int().min(1).max(100).optional(),
            })
            .strict(),
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) => suggestTags(tx, actor, records, req.query));
        return { data };
      },
    );
  };
}
