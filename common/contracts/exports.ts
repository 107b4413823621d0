import { z } from 'zod';

/**
 * Whole-workspace export (issue 18, point 2; `POST /api/v1/exports`): every object the caller
 * may export, as a ZIP with `<object>.csv` (the spreadsheet export's columns) and
 * `<object>.json` (the API's records) per object and a `manifest.json`, built by a job.
 * Shared by server and web app.
 */

export const WORKSPACE_EXPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;

export const WorkspaceExportSchema = z.object({
  id: z.uuid(),
  status: z.enum(WORKSPACE_EXPORT_STATUSES),
  /** Objects written so far and in all, and the records written: for a progress bar. */
  progress: z.object({
    objectsDone: z.number().int(),
    objectsTotal: z.number().int(),
    records: z.number().int(),
  }),
  /** Records per object written so far. */
  objects: z.array(z.object({ object: z.string(), records: z.number().int().nullable() })),
  sizeBytes: z.number().int().nullable().describe('The ZIP’s size once completed'),
  fileUrl: z.string().nullable().describe('Where the ZIP downloads from, once completed'),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TWorkspaceExport = z.infer<typeof WorkspaceExportSchema>;

export const WorkspaceExportCreated = z.object({ id: z.uuid() });
