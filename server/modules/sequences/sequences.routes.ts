import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  EnrolmentListResponse,
  EnrolmentParam,
  EnrolmentResponse,
  EnrolmentsQuery,
  EnrolRequest,
  EnrolResponse,
  SequenceIdParam,
  SequenceListResponse,
  SequenceRequest,
  SequenceResponse,
  UpdateSequenceRequest,
} from '../../../common/contracts/sequences';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import { SequenceService } from './sequences.service';

const tags = ['Sequences'];

/** `/api/v1/sequences`: nurture sequences, their enrolments, and taking people out by hand. */
export function sequenceRoutes({ database, records, config, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  const sequences = new SequenceService({
    database,
    records,
    webhooksAllowPrivate: config.webhooksAllowPrivate,
    now,
  });
  return async (app) => {
    app.get(
      '/api/v1/sequences',
      { schema: { tags, summary: 'Nurture sequences', response: { 200: SequenceListResponse } } },
      async (req) => ({ data: await sequences.list(actorOf(req)) }),
    );
    app.post(
      '/api/v1/sequences',
      {
        schema: {
          tags,
          summary:
            'Create a nurture sequence (steps: campaign_email, wait, branch, create_task, enroll_in_sequence…; active: enrol from now on)',
          body: SequenceRequest,
          response: { 201: SequenceResponse },
        },
      },
      async (req, reply) => reply.status(201).send({ data: await sequences.create(actorOf(req), req.body) }),
    );
    app.get(
      '/api/v1/sequences/:id',
      { schema: { tags, summary: 'A nurture sequence', params: SequenceIdParam, response: { 200: SequenceResponse } } },
      async (req) => ({ data: await sequences.get(actorOf(req), req.params.id) }),
    );
    app.patch(
      '/api/v1/sequences/:id',
      {
        schema: {
          tags,
          summary:
            'Change a sequence (new steps are a new version: people in it finish on theirs), or switch it on or off',
          params: SequenceIdParam,
          body: UpdateSequenceRequest,
          response: { 200: SequenceResponse },
        },
      },
      async (req) => ({ data: await sequences.update(actorOf(req), req.params.id, req.body) }),
    );
    app.delete(
      '/api/v1/sequences/:id',
      { schema: { tags, summary: 'Delete a sequence: everyone in it leaves', params: SequenceIdParam } },
      async (req, reply) => {
        await sequences.remove(actorOf(req), req.params.id);
        return reply.status(204).send();
      },
    );
    app.get(
      '/api/v1/sequences/:id/enrolments',
      {
        schema: {
          tags,
          summary: 'Who is or was in the sequence, where they are, and why they left',
          params: SequenceIdParam,
          querystring: EnrolmentsQuery,
          response: { 200: EnrolmentListResponse },
        },
      },
      async (req) => sequences.enrolments(actorOf(req), req.params.id, req.query),
    );
    app.post(
      '/api/v1/sequences/:id/enrolments',
      {
        schema: {
          tags,
          summary: 'Enrol contacts or leads by hand (each person once per sequence)',
          params: SequenceIdParam,
          body: EnrolRequest,
          response: { 200: EnrolResponse },
        },
      },
      async (req) => ({ data: await sequences.enrol(actorOf(req), req.params.id, req.body.recordIds) }),
    );
    app.post(
      '/api/v1/sequences/:id/enrolments/:enrolmentId/exit',
      {
        schema: {
          tags,
          summary: 'Take a person out of the sequence now',
          params: EnrolmentParam,
          response: { 200: EnrolmentResponse },
        },
      },
      async (req) => ({ data: await sequences.exit(actorOf(req), req.params.id, req.params.enrolmentId) }),
    );
  };
}
