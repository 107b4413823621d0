import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AudioListResponse, AudioResponse, AudioUploadFields } from '../../../common/contracts/telephony';
import { humanIssueMessage } from '../../../common/validation-messages';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { AudioUrls, MAX_AUDIO_BYTES, promptFile } from './audio';
import type { TelephonyService } from './telephony.service';

const tags = ['Telephony'];
const Id = z.object({ id: z.uuid('must be an id') }).strict();
const FileQuery = z.object({ expires: z.string().max(20).optional(), signature: z.string().max(100).optional() });

const tooLarge = () =>
  new AppError('payload_too_large', 'file: at most 5 MB', {
    errors: [{ path: 'file', message: 'may be at most 5 MB' }],
  });

/** An audio upload (multipart: `file`, `name?`), read into memory up to MAX_AUDIO_BYTES. */
async function readAudioUpload(req: FastifyRequest): Promise<{ bytes: Buffer; name: string }> {
  if (!req.isMultipart()) {
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data with a "file" part', {
      errors: [{ path: 'file', message: 'send multipart/form-data with the audio in a part named "file"' }],
    });
  }
  const raw: Record<string, string> = {};
  let file: { bytes: Buffer; fileName: string } | null = null;
  try {
    for await (const part of req.parts({ limits: { fileSize: MAX_AUDIO_BYTES, files: 1, fields: 5 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new AppError('validation_failed', `Unexpected file part "${part.fieldname}"`, {
            errors: [{ path: part.fieldname, message: 'send the audio in the part named "file"' }],
          });
        }
        const bytes = await part.toBuffer();
        if (part.file.truncated) throw tooLarge();
        file = { bytes, fileName: part.filename || 'audio' };
      } else raw[part.fieldname] = String(part.value ?? '');
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw err;
  }
  if (!file) {
    throw new AppError('validation_failed', 'file: is required', {
      errors: [{ path: 'file', message: 'is required: an MP3 or WAV file' }],
    });
  }
  const parsed = AudioUploadFields.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      path: i.path.join('.') || 'body',
      message: humanIssueMessage(i),
    }));
    throw new AppError('validation_failed', `${errors[0]?.path}: ${errors[0]?.message}`, { errors });
  }
  const name = parsed.data.name ?? file.fileName.replace(/\.[a-z0-9]{1,5}$/i, '').slice(0, 200);
  return { bytes: file.bytes, name: name || 'audio' };
}

/**
 * Audio of the contact centre: administrators upload, list and delete prompts; the provider
 * fetches a prompt at its signed URL (public, rate-limited: an unknown id, a wrong or an expired
 * signature all get the same 403); whoever may read a call plays its stored recording.
 */
export function audioRoutes(service: TelephonyService, deps: ModuleRouteDeps): FastifyPluginAsyncZod {
  const urls = new AudioUrls(deps.database, deps.config.baseUrl);
  return async (app) => {
    // Multipart only here (uploads); the rest of the API takes JSON.
    await app.register(multipart);

    app.get(
      '/api/v1/telephony/audio',
      {
        schema: {
          tags,
          summary: 'The uploaded audio prompts, each with a signed URL valid for an hour',
          response: { 200: AudioListResponse },
        },
      },
      async (req) => ({ data: await service.listAudio(actorOf(req)) }),
    );

    app.post(
      '/api/v1/telephony/audio',
      {
        bodyLimit: MAX_AUDIO_BYTES + 64 * 1024,
        schema: {
          tags,
          summary:
            'Upload an audio prompt (multipart: file, name?): MP3 or WAV by its content, at most 5 MB and 10 minutes',
          consumes: ['multipart/form-data'],
          response: { 201: AudioResponse },
        },
      },
      async (req, reply) => {
        const upload = await readAudioUpload(req);
        return reply.status(201).send({ data: await service.uploadAudio(actorOf(req), upload.name, upload.bytes) });
      },
    );

    app.delete(
      '/api/v1/telephony/audio/:id',
      { schema: { tags, summary: 'Delete an audio prompt no flow plays', params: Id } },
      async (req, reply) => {
        await service.deleteAudio(actorOf(req), req.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/telephony/audio/:id/file',
      {
        config: { public: true, limit: 'telephony.audio', cors: false },
        schema: { hide: true, params: z.object({ id: z.string().max(64) }), querystring: FileQuery },
      },
      async (req, reply) => {
        const { id } = req.params;
        const ok =
          Id.safeParse({ id }).success && (await urls.verify(id, req.query.expires, req.query.signature, deps.now()));
        const file = ok ? await promptFile(deps.database, id) : null;
        if (!file) throw new AppError('forbidden', 'This address is not valid (or no longer)');
        return reply
          .status(200)
          .type(file.content_type)
          .header('cache-control', 'private, max-age=300')
          .header('x-content-type-options', 'nosniff')
          .send(file.content);
      },
    );

    app.get(
      '/api/v1/calls/:id/recording',
      {
        schema: {
          tags,
          summary: 'The call’s voicemail recording (audio/mpeg), fetched from the provider and stored',
          params: Id,
        },
      },
      async (req, reply) => {
        const file = await service.recording(actorOf(req), req.params.id);
        return reply
          .status(200)
          .type(file.content_type)
          .header('cache-control', 'private, no-store')
          .header('x-content-type-options', 'nosniff')
          .send(file.content);
      },
    );
  };
}
