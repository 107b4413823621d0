import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VCardQuery } from '../../../common/contracts/imports';
import { IdParams } from '../../../common/contracts/platform';
import { audit } from '../../platform/access/access.service';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import type { RecordData } from '../../platform/records/records.service';
import { toJCard, toVCard, type VCardContact } from '../../platform/vcard/vcard';

/** A contact as the caller may see it, in the shape the vCard writer takes. */
export function vcardContact(record: RecordData): VCardContact {
  const account = record.account as RecordData | null | undefined;
  return {
    id: record.id as string,
    firstName: record.firstName as string | null,
    lastName: record.lastName as string | null,
    email: record.email as string | null,
    emails: record.emails as VCardContact['emails'],
    phone: record.phone as string | null,
    phones: record.phones as VCardContact['phones'],
    title: record.title as string | null,
    department: record.department as string | null,
    accountName: (account?.name as string | undefined) ?? null,
    address: record.address as VCardContact['address'],
    birthday: record.birthday as string | null,
    description: record.description as string | null,
    updatedAt: record.updatedAt as string | null,
  };
}

const MAX_EXPORT = 500;

/** A contact (`GET /api/v1/contacts/{id}/vcard`) or several (`GET /api/v1/contacts/vcard?ids=`) as vCard 4.0 or 3.0. */
export function vcardRoutes({ database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/contacts/:id/vcard',
      {
        schema: {
          tags: ['Contacts'],
          summary:
            'The contact as a vCard (text/vcard; 4.0, or ?version=3.0 for older clients), or ?format=jcard (application/vcard+json)',
          params: IdParams,
          querystring: VCardQuery,
          produces: ['text/vcard'],
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const record = await database.tenantRead(actor.workspaceId, (tx) =>
          records.get(tx, actor, 'contacts', req.params.id, { include: ['account'] }),
        );
        if (req.query.format === 'jcard') {
          return reply.type('application/vcard+json').send(JSON.stringify(toJCard(vcardContact(record))));
        }
        const card = toVCard(vcardContact(record), { version: req.query.version });
        const name = [record.firstName, record.lastName].filter(Boolean).join('-') || 'contact';
        return reply
          .type(`text/vcard; charset=utf-8${req.query.version === '3.0' ? '; version=3.0' : ''}`)
          .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.vcf"`)
          .send(card);
      },
    );

    app.get(
      '/api/v1/contacts/vcard',
      {
        schema: {
          tags: ['Contacts'],
          summary: `Several contacts as one vCard file (?ids=comma-separated, at most ${MAX_EXPORT}); needs the export permission`,
          querystring: VCardQuery.extend({
            ids: z
              .string()
              .min(1)
              .max(MAX_EXPORT * 37),
          }).strict(),
          produces: ['text/vcard'],
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const ids = [...new Set(req.query.ids.split(',').map((s) => s.trim()))].filter(Boolean);
        const bad = ids.find((id) => !z.uuid().safeParse(id).success);
        if (bad || ids.length > MAX_EXPORT) {
          throw new AppError(
            'validation_failed',
            `ids: ${bad ? `"${bad.slice(0, 40)}" is not a contact id` : `at most ${MAX_EXPORT}`}`,
            {
              errors: [
                { path: 'ids', message: bad ? 'must be contact ids separated by commas' : `at most ${MAX_EXPORT} ids` },
              ],
            },
          );
        }
        const text = await database.tenant(actor.workspaceId, async (tx) => {
          const page = await records.list(
            tx,
            actor,
            'contacts',
            { filter: { field: 'id', op: 'in', value: ids }, include: ['account'], limit: MAX_EXPORT },
            'export',
          );
          await audit(tx, actor, {
            action: 'records.exported',
            object: 'contacts',
            detail: { format: 'vcard', rows: page.data.length },
          });
          return page.data.map((r) => toVCard(vcardContact(r), { version: req.query.version })).join('');
        });
        return reply
          .type('text/vcard; charset=utf-8')
          .header('content-disposition', 'attachment; filename="contacts.vcf"')
          .send(text);
      },
    );
  };
}
