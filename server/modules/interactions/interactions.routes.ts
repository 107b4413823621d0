import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { GuardResultSchema } from '../../../common/contracts/timeline';
import { audit } from '../../platform/access/access.service';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import type { RecordService } from '../../platform/records/records.service';
import { findRecentContacts, loadCooldowns } from './contact-guard';
import { CHANNELS } from './interactions.object';

const Hours = z.number().int().min(0).max(8760);
const CooldownBody = z
  .object({ cooldownHours: z.object(Object.fromEntries(CHANNELS.map((c) => [c, Hours.optional()]))).strict() })
  .strict();

/** "Don't contact twice": recent contacts of a contact, and the workspace's cool-downs. */
export function interactionRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    app.get(
      '/api/v1/contacts/:id/recent-contacts',
      {
        schema: {
          tags: ['Interactions'],
          summary: 'Who contacted this contact or their account within the cool-down (don’t contact twice)',
          description:
            'Interactions still inside the cool-down of their channel, newest first; `warn` is true when someone ' +
            'else contacted them (about this topic or opportunity, when given) or the contact is do-not-contact.',
          params: z.object({ id: z.uuid() }).strict(),
          querystring: z
            .object({
              channel: z.enum(CHANNELS).optional(),
              topic: z.string().max(300).optional(),
              opportunityId: z.uuid().optional(),
            })
            .strict(),
          response: { 200: z.object({ data: GuardResultSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          const ctx = await records.context(tx, actor, 'contacts', 'read');
          return findRecentContacts(tx, {
            contactId: req.params.id,
            channel: req.query.channel,
            topic: req.query.topic,
            opportunityId: req.query.opportunityId,
            userId: actor.userId,
            scoped: (object) => records.scopedRelation(ctx, object),
          });
        });
        return { data };
      },
    );

    app.get(
      '/api/v1/settings/contact-cooldowns',
      {
        schema: {
          tags: ['Interactions'],
          summary: 'Cool-down per channel, in hours, of the don’t-contact-twice guard',
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const cooldownHours = await database.tenantRead(actor.workspaceId, loadCooldowns);
        return { data: { cooldownHours } };
      },
    );

    app.put(
      '/api/v1/settings/contact-cooldowns',
      {
        schema: {
          tags: ['Interactions'],
          summary: 'Set cool-downs per channel (administrators); channels left out keep theirs',
          body: CooldownBody,
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const cooldownHours = await records.access.asAdmin(actor, async (tx) => {
          const before = await loadCooldowns(tx);
          const changes: Record<string, [unknown, unknown]> = {};
          for (const [channel, hours] of Object.entries(req.body.cooldownHours)) {
            if (hours === undefined) continue;
            await sql`insert into contact_cooldowns (workspace_id, channel, hours, updated_by)
              values (${actor.workspaceId}, ${channel}, ${hours}, ${actor.userId})
              on conflict (workspace_id, channel) do update set hours = excluded.hours, updated_at = now(),
                updated_by = excluded.updated_by`.execute(tx);
            if (before[channel as keyof typeof before] !== hours)
              changes[channel] = [before[channel as keyof typeof before], hours];
          }
          await audit(tx, actor, {
            action: 'workspace.settings_changed',
            changes,
            detail: { setting: 'contact_cooldowns' },
          });
          return loadCooldowns(tx);
        });
        return { data: { cooldownHours } };
      },
    );
  };
}
