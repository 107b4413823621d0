import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateMailboxRequest,
  MailboxListResponse,
  MailboxResponse,
  UpdateMailboxRequest,
} from '../../../common/contracts/service-mail';
import type { AccessService } from '../access/access.service';
import type { Database } from '../db/database';
import { isPgError } from '../db/pg-errors';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { createMailbox, deleteMailbox, listMailboxes, updateMailbox } from './mailboxes.service';

const tags = ['service'];
const Id = z.object({ id: z.uuid() }).strict();

/** A unique violation on the address (a race with another workspace) reads as the 409 the service gives. */
async function addressUnique<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) {
      throw new AppError('conflict', 'address: this address is already a mailbox', {
        errors: [{ path: 'address', message: 'this address is already a mailbox' }],
      });
    }
    throw err;
  }
}

/**
 * The workspace's mailboxes: read by members who may read tickets, managed by administrators.
 * Mail to an active mailbox arriving at the inbound SMTP receiver goes to the module of its kind.
 */
export function mailboxRoutes(deps: {
  database: Database;
  access: AccessService;
  mailDomain: string;
}): FastifyPluginAsyncZod {
  const { database, access, mailDomain } = deps;
  return async (app) => {
    app.get(
      '/api/v1/service/mailboxes',
      {
        schema: {
          tags,
          summary: 'The workspace’s mailboxes, its default support address first',
          description: 'Members who may read tickets. The default support address is created on first use.',
          response: { 200: MailboxListResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          const policy = await access.policy(tx, actor);
          if (!policy.admin && !policy.can('tickets', 'read')) {
            throw new AppError('forbidden', 'Your role may not read tickets');
          }
          return listMailboxes(tx, actor.workspaceId, mailDomain);
        });
        return { data };
      },
    );

    app.post(
      '/api/v1/service/mailboxes',
      {
        schema: {
          tags,
          summary: 'Add a mailbox: an address of your own domain forwarded to Rapport (administrators)',
          body: CreateMailboxRequest,
          response: { 201: MailboxResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await addressUnique(
          access.asAdmin(actor, (tx) => createMailbox(tx, actor.workspaceId, mailDomain, req.body)),
        );
        return reply.status(201).send({ data });
      },
    );

    app.patch(
      '/api/v1/service/mailboxes/:id',
      {
        schema: {
          tags,
          summary: 'Rename, readdress, (de)activate a mailbox or route its new tickets to a team (administrators)',
          params: Id,
          body: UpdateMailboxRequest,
          response: { 200: MailboxResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await addressUnique(
          access.asAdmin(actor, (tx) => updateMailbox(tx, req.params.id, mailDomain, req.body)),
        );
        return { data };
      },
    );

    app.delete(
      '/api/v1/service/mailboxes/:id',
      {
        schema: {
          tags,
          summary: 'Delete a mailbox you added (administrators); its mail already received stays',
          params: Id,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await access.asAdmin(actor, (tx) => deleteMailbox(tx, req.params.id));
        return reply.status(204).send();
      },
    );
  };
}
