import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import { SenderRequest, SenderSchema } from '../../../common/contracts/campaigns';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { AppError, notFound } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import type { RecordService } from '../../platform/records/records.service';

const tags = ['Campaigns'];
const Id = z.object({ id: z.uuid() }).strict();

interface Row {
  id: string;
  from_name: string;
  from_address: string;
  reply_to: string | null;
  is_default: boolean;
}
const present = (r: Row) => ({
  id: r.id,
  fromName: r.from_name,
  fromAddress: r.from_address,
  replyTo: r.reply_to,
  isDefault: r.is_default,
});

async function assertMarketingManager(tx: Tx, records: RecordService, actor: Actor): Promise<void> {
  const policy = await records.access.policy(tx, actor);
  if (policy.admin || actor.role === 'marketing_manager') return;
  throw new AppError('forbidden', 'Only administrators and marketing managers manage sender identities');
}

/**
 * Sender identities: the From name and address and Reply-To campaign mail goes out with,
 * per workspace; one may be the default. Administrators and marketing managers manage them.
 */
export function senderRoutes({ database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/mail/senders',
      {
        schema: { tags, summary: 'Sender identities', response: { 200: z.object({ data: z.array(SenderSchema) }) } },
      },
      async (req) => {
        const actor = actorOf(req);
        const rows = await database.tenantRead(actor.workspaceId, async (tx) => {
          await assertMarketingManager(tx, records, actor);
          return (
            await sql<Row>`select id, from_name, from_address, reply_to, is_default from mail_senders
              where workspace_id = ${actor.workspaceId}::uuid order by from_address`.execute(tx)
          ).rows;
        });
        return { data: rows.map(present) };
      },
    );

    app.post(
      '/api/v1/mail/senders',
      {
        schema: {
          tags,
          summary: 'Add a sender identity (isDefault: campaign mail uses it unless a send names another)',
          body: SenderRequest,
          response: { 201: z.object({ data: SenderSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const b = req.body;
        const row = await database.tenant(actor.workspaceId, async (tx) => {
          await assertMarketingManager(tx, records, actor);
          const first =
            await sql`select 1 from mail_senders where workspace_id = ${actor.workspaceId}::uuid limit 1`.execute(tx);
          const isDefault = b.isDefault ?? first.rows.length === 0;
          if (isDefault) {
            await sql`update mail_senders set is_default = false where workspace_id = ${actor.workspaceId}::uuid`.execute(
              tx,
            );
          }
          const { rows } = await sql<Row>`
            insert into mail_senders (workspace_id, id, from_name, from_address, reply_to, is_default)
            values (${actor.workspaceId}::uuid, ${uuidv7()}::uuid, ${b.fromName}, ${b.fromAddress.toLowerCase()},
              ${b.replyTo ?? null}, ${isDefault})
            on conflict (workspace_id, from_address) do nothing
            returning id, from_name, from_address, reply_to, is_default`.execute(tx);
          if (!rows[0]) {
            throw new AppError('already_exists', 'A sender with this address exists', {
              errors: [{ path: 'fromAddress', message: 'already exists' }],
            });
          }
          return rows[0];
        });
        return reply.status(201).send({ data: present(row) });
      },
    );

    app.delete(
      '/api/v1/mail/senders/:id',
      { schema: { tags, summary: 'Remove a sender identity', params: Id } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, async (tx) => {
          await assertMarketingManager(tx, records, actor);
          const { rows } = await sql`delete from mail_senders where workspace_id = ${actor.workspaceId}::uuid
            and id = ${req.params.id}::uuid returning id`.execute(tx);
          if (!rows.length) throw notFound('Sender');
        });
        return reply.status(204).send();
      },
    );
  };
}
