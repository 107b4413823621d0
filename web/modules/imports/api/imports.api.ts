// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/imports.ts.
import type { TImport, TImportCreated, TImportPreview } from '../../../../common/contracts/imports';
import { getJson, request } from '../../../lib/http';

export type { TImport, TImportPreview };

export const importKeys = {
  one: (id: string) => ['imports', id] as const,
};

/** What an import would make of the file (header, first rows, mapping). */
export async function previewImport(form: FormData): Promise<TImportPreview> {
  return (await request<{ data: TImportPreview }>('POST', '/api/v1/imports/preview', { form })).body.data;
}

/** Starts an import in the background; its id. */
export async function startImport(form: FormData): Promise<string> {
  return (await request<{ data: TImportCreated }>('POST', '/api/v1/imports', { form })).body.data.id;
}

export const getImport = (id: string, signal?: AbortSignal) =>
  getJson<{ data: TImport }>(`/api/v1/imports/${id}`, signal).then((r) => r.data);
