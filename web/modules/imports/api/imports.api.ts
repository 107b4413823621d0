// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/imports.ts.
import type {
  TImport,
  TImportCreated,
  TImportPreview,
  TSavedMapping,
  TSavedMappingInput,
  TSavedMappingPatch,
} from '../../../../common/contracts/imports';
import { getJson, request, withQuery } from '../../../lib/http';

export type { TImport, TImportPreview, TSavedMapping, TSavedMappingInput };

export const importKeys = {
  one: (id: string) => ['imports', id] as const,
  mappings: (object: string) => ['imports', 'mappings', object] as const,
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

/** The object's saved mappings, by name (whoever may import it). */
export const listSavedMappings = (object: string, signal?: AbortSignal) =>
  getJson<{ data: TSavedMapping[] }>(withQuery('/api/v1/imports/mappings', { object }), signal).then((r) => r.data);

/** Saves a column → field mapping under a name for the next import of the object. */
export async function saveMapping(input: TSavedMappingInput): Promise<TSavedMapping> {
  return (await request<{ data: TSavedMapping }>('POST', '/api/v1/imports/mappings', { body: input })).body.data;
}

/** Renames a saved mapping and/or replaces its mapping. */
export async function updateMapping(id: string, patch: TSavedMappingPatch): Promise<TSavedMapping> {
  return (await request<{ data: TSavedMapping }>('PATCH', `/api/v1/imports/mappings/${id}`, { body: patch })).body.data;
}
