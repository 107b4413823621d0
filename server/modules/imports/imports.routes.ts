import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import {
  ImportCreated,
  ImportFields,
  ImportListQuery,
  ImportPreviewSchema,
  ImportSchema,
  type TImportFields,
} from '../../../common/contracts/imports';
import { IdParams } from '../../../common/contracts/platform';
import { humanIssueMessage } from '../../../common/validation-messages';
import { actorOf } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import {
  getImport,
  importErrorsCsv,
  listImports,
  previewImport,
  type SpooledFile,
  startImport,
} from './imports.service';

const tags = ['Imports'];
/** The largest file an import takes. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/**
 * Reads a multipart upload: the `file` part is spooled to a temporary file as it arrives
 * (never held in memory, never inside a database transaction), the text parts are checked
 * with `schema`. 413 over MAX_IMPORT_BYTES, 422 naming the field otherwise.
 */
async function readUpload<S extends z.ZodType>(
  req: FastifyRequest,
  schema: S,
): Promise<{ file: SpooledFile; fields: z.infer<S>; cleanup: () => Promise<void> }> {
  if (!req.isMultipart()) {
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data with a "file" part', {
      errors: [{ path: 'file', message: 'send multipart/form-data with the file in a part named "file"' }],
    });
  }
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'rapport-import-'));
  const cleanup = () => fs.promises.rm(dir, { recursive: true, force: true });
  try {
    const raw: Record<string, string> = {};
    let file: SpooledFile | null = null;
    for await (const part of req.parts({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 20 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          throw new AppError('validation_failed', `Unexpected file part "${part.fieldname}"`, {
            errors: [{ path: part.fieldname, message: 'send one file, in the part named "file"' }],
          });
        }
        const target = path.join(dir, uuidv7());
        await pipeline(part.file, fs.createWriteStream(target));
        if (part.file.truncated) {
          throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`, {
            errors: [{ path: 'file', message: `may be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB` }],
          });
        }
        file = { fileName: part.filename || 'upload', path: target, size: (await fs.promises.stat(target)).size };
      } else raw[part.fieldname] = String(part.value ?? '');
    }
    if (!file) {
      throw new AppError('validation_failed', 'file: is required', {
        errors: [{ path: 'file', message: 'is required: the CSV, XLSX or vCard file to import' }],
      });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({
        path: i.path.join('.') || 'body',
        message: humanIssueMessage(i),
      }));
      throw new AppError('validation_failed', `${errors[0]?.path}: ${errors[0]?.message}`, { errors });
    }
    return { file, fields: parsed.data, cleanup };
  } catch (err) {
    await cleanup();
    if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`, {
        errors: [{ path: 'file', message: `may be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB` }],
      });
    }
    throw err;
  }
}

const PreviewFields = ImportFields.pick({ object: true, preset: true, mapping: true, mappingId: true }).strict();

/** Imports: upload and start, progress, per-row errors, a file's preview. */
export function importRoutes({ database, records, jobs }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    // Multipart only here: the rest of the API takes JSON.
    await app.register(multipart);

    app.post(
      '/api/v1/imports',
      {
        schema: {
          tags,
          summary:
            'Import a CSV, XLSX or vCard file (multipart: file, object, preset?, mode?, matchOn?, dryRun?, createMissing?, mapping?) in the background (202)',
          consumes: ['multipart/form-data'],
          response: { 202: z.object({ data: ImportCreated }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const upload = await readUpload(req, ImportFields);
        try {
          const data = await startImport(database, records, jobs, actor, upload.file, upload.fields as TImportFields);
          return reply.code(202).send({ data });
        } finally {
          await upload.cleanup();
        }
      },
    );

    app.post(
      '/api/v1/imports/preview',
      {
        schema: {
          tags,
          summary: 'What an import would make of a file: header, first rows, the mapping it would use (multipart)',
          consumes: ['multipart/form-data'],
          response: { 200: z.object({ data: ImportPreviewSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const upload = await readUpload(req, PreviewFields);
        try {
          return { data: await previewImport(database, records, actor, upload.file, upload.fields) };
        } finally {
          await upload.cleanup();
        }
      },
    );

    app.get(
      '/api/v1/imports',
      {
        schema: {
          tags,
          summary: 'Recent imports (yours; administrators see everyone’s)',
          querystring: ImportListQuery,
          response: { 200: z.object({ data: z.array(ImportSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => listImports(tx, records, actor, req.query.limit)),
        };
      },
    );

    app.get(
      '/api/v1/imports/:id',
      {
        schema: {
          tags,
          summary: 'An import’s status and counts (read, created, updated, failed)',
          params: IdParams,
          response: { 200: z.object({ data: ImportSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => getImport(tx, records, actor, req.params.id)),
        };
      },
    );

    app.get(
      '/api/v1/imports/:id/errors.csv',
      {
        schema: {
          tags,
          summary: 'The per-row errors as CSV: row (the header is row 1), column, message',
          params: IdParams,
          produces: ['text/csv'],
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const csv = await database.tenantRead(actor.workspaceId, (tx) =>
          importErrorsCsv(tx, records, actor, req.params.id),
        );
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="import-${req.params.id}-errors.csv"`)
          .send(csv);
      },
    );
  };
}
