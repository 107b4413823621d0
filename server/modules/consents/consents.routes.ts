import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CONSENT_OBJECTS,
  ConsentLedgerResponse,
  ConsentPostRequest,
  ConsentPurposeRequest,
  ConsentPurposesResponse,
  ConsentResponse,
} from '../../../common/contracts/audience';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { addConsentPurpose, consentPurposes, readLedger, recordConsent } from './consents.service';

const tags = ['Consents'];
const params = z.object({ id: z.uuid() }).strict();

/** The consent ledger of contacts and leads, and the workspace's consent purposes. */
export function consentRoutes({ database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    for (const object of CONSENT_OBJECTS) {
      app.get(
        `/api/v1/${object}/:id/consents`,
        {
          schema: {
            tags,
            summary: `The consent history of a ${object === 'leads' ? 'lead' : 'contact'} (newest first) and each purpose’s current status`,
            params,
            response: { 200: ConsentLedgerResponse },
          },
        },
        async (req) => {
          const actor = actorOf(req);
          return database.tenantRead(actor.workspaceId, (tx) => readLedger(tx, actor, records, object, req.params.id));
        },
      );
      app.post(
        `/api/v1/${object}/:id/consents`,
        {
          schema: {
            tags,
            summary: `Record a consent change for a ${object === 'leads' ? 'lead' : 'contact'} (appended to its history)`,
            description: 'Needs permission to update the record. Emits consent.changed.',
            params,
            body: ConsentPostRequest,
            response: { 201: ConsentResponse },
          },
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const data = await database.tenant(actor.workspaceId, (tx) =>
            recordConsent(tx, actor, records, object, req.params.id, req.body),
          );
          return reply.status(201).send({ data });
        },
      );
    }

    app.get(
      '/api/v1/consent-purposes',
      {
        schema: { tags, summary: 'The consent purposes of the workspace', response: { 200: ConsentPurposesResponse } },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => consentPurposes(tx)) };
      },
    );

    app.post(
      '/api/v1/consent-purposes',
      {
        schema: {
          tags,
          summary: 'Add a consent purpose to the workspace (administrators)',
          body: ConsentPurposeRequest,
          response: { 201: z.object({ data: ConsentPurposesResponse.shape.data.element }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, async (tx) => {
          const policy = await records.access.policy(tx, actor);
          if (!policy.admin) throw new AppError('forbidden', 'Only administrators may add consent purposes');
          return addConsentPurpose(tx, actor.workspaceId, req.body);
        });
        return reply.status(201).send({ data });
      },
    );
  };
}
