import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { StaffEntrySchema } from '../../../common/contracts/staff';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { ifMatch } from '../../platform/http/if-match';
import type { RecordService } from '../../platform/records/records.service';
import { getOwnStaffEntry, updateOwnStaffEntry } from './staff.service';

const etag = (version: unknown) => `"${version}"`;

/** The caller's own staff-directory entry; the directory itself is the generic /api/v1/staff. */
const Entry = z.object({ data: StaffEntrySchema });

export function staffRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    app.get(
      '/api/v1/staff/me',
      {
        schema: {
          tags: ['staff'],
          summary: 'Your own staff entry, with your private fields (the read is audited)',
          response: { 200: Entry },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => getOwnStaffEntry(tx, records, actor));
        return reply.header('etag', etag(data.version)).send({ data });
      },
    );

    app.patch(
      '/api/v1/staff/me',
      {
        schema: {
          tags: ['staff'],
          summary:
            'Change your own work and mobile phone, location and private fields (personal email and phone, home address, date of birth, emergency contact)',
          response: { 200: Entry },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const version = ifMatch(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          updateOwnStaffEntry(tx, records, actor, req.body, version),
        );
        return reply.header('etag', etag(data.version)).send({ data });
      },
    );
  };
}
