import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AgendaSchema,
  CalendarQuery,
  FeedStatusSchema,
  FeedUrlSchema,
  MeetingInvitationSchema,
  MyDayQuery,
  MyDaySchema,
} from '../../../common/contracts/tasks';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { invalidField, notFound } from '../../platform/http/errors';
import { registerSecretPath } from '../../platform/logging';
import type { RecordService } from '../../platform/records/records.service';
import { loadAgenda, myDay } from './agenda.service';
import { feedStatus, feedUrl, issueFeedToken, renderFeed, revokeFeedToken } from './calendar-feed.service';
import { listInvitations } from './invitations';

const MAX_RANGE_DAYS = 62;

/** "My day", the calendar range behind the calendar page, and the per-user iCalendar feed. */
export function taskRoutes(deps: {
  database: Database;
  records: RecordService;
  baseUrl: string;
}): FastifyPluginAsyncZod {
  const { database, records, baseUrl } = deps;
  // The feed's URL is its credential: never in a log line.
  registerSecretPath('/api/v1/calendar/:secret.ics');
  return async (app) => {
    app.get(
      '/api/v1/me/day',
      {
        schema: {
          tags: ['Tasks'],
          summary: 'My day: open tasks due today or overdue, and today’s meetings',
          querystring: MyDayQuery,
          response: { 200: z.object({ data: MyDaySchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) =>
          myDay(tx, actor, records, { tz: req.query.tz }),
        );
        return { data };
      },
    );

    app.get(
      '/api/v1/calendar',
      {
        schema: {
          tags: ['Tasks'],
          summary: `The caller's meetings and tasks between two instants (at most ${MAX_RANGE_DAYS} days)`,
          querystring: CalendarQuery,
          response: { 200: z.object({ data: AgendaSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const from = new Date(req.query.from);
        const to = new Date(req.query.to);
        if (to <= from) throw invalidField('to', 'must be after from');
        if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000)
          throw invalidField('to', `at most ${MAX_RANGE_DAYS} days after from`);
        const data = await database.tenantRead(actor.workspaceId, (tx) => loadAgenda(tx, actor, records, { from, to }));
        return { data };
      },
    );

    app.get(
      '/api/v1/meetings/:id/invitations',
      {
        schema: {
          tags: ['Tasks'],
          summary: 'A meeting’s iTIP invitations: who was invited by email, and what each answered (PARTSTAT)',
          params: z.object({ id: z.uuid() }).strict(),
          response: { 200: z.object({ data: z.array(MeetingInvitationSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          // 404 unless the caller may read the meeting.
          await records.get(tx, actor, 'meetings', req.params.id, { fields: 'title' });
          return listInvitations(tx, req.params.id);
        });
        return { data };
      },
    );

    app.get(
      '/api/v1/calendar/feed',
      {
        schema: {
          tags: ['Tasks'],
          summary: 'Whether the caller has an iCalendar feed URL, and when it was last read',
          response: { 200: z.object({ data: FeedStatusSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => feedStatus(tx, actor)) };
      },
    );

    app.post(
      '/api/v1/calendar/feed',
      {
        schema: {
          tags: ['Tasks'],
          summary: 'Create (or regenerate, revoking the old one) the caller’s secret iCalendar feed URL; shown once',
          response: { 201: z.object({ data: FeedUrlSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const token = await database.tenant(actor.workspaceId, (tx) => issueFeedToken(tx, actor));
        return reply.status(201).send({ data: { url: feedUrl(baseUrl, token) } });
      },
    );

    app.delete(
      '/api/v1/calendar/feed',
      { schema: { tags: ['Tasks'], summary: 'Revoke the caller’s iCalendar feed URL' } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => revokeFeedToken(tx, actor));
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/calendar/:file',
      {
        config: { public: true, limit: 'calendar.feed' },
        schema: {
          tags: ['Tasks'],
          summary: 'An iCalendar feed (the secret URL from POST /api/v1/calendar/feed); subscribe to it',
          params: z.object({ file: z.string().max(100) }).strict(),
          security: [],
        },
      },
      async (req, reply) => {
        const m = /^(.+)\.ics$/.exec(req.params.file);
        if (!m) throw notFound('Calendar feed');
        const body = await renderFeed(database, records, m[1] as string, { baseUrl });
        return reply
          .type('text/calendar; charset=utf-8')
          .header('cache-control', 'private, max-age=300')
          .header('content-disposition', 'inline; filename="rapport.ics"')
          .send(body);
      },
    );
  };
}
