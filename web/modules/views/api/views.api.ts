import type { TSavedView, TViewCreateRequest, TViewUpdateRequest } from '../../../../common/contracts/views';
import { getJson, request, withQuery } from '../../../lib/http';

export type SavedView = TSavedView;
export type ViewCreate = TViewCreateRequest;
export type ViewUpdate = TViewUpdateRequest;

/** TanStack Query keys of saved views, per object. */
export const viewKeys = {
  list: (object: string) => ['views', object] as const,
};

/** The caller's own views of an object and the workspace's shared ones. */
export function listViews(object: string, signal?: AbortSignal): Promise<SavedView[]> {
  return getJson<{ data: SavedView[] }>(withQuery('/api/v1/views', { object }), signal).then((r) => r.data);
}

export async function createView(body: ViewCreate): Promise<SavedView> {
  return (await request<{ data: SavedView }>('POST', '/api/v1/views', { body })).body.data;
}

export async function updateView(id: string, body: ViewUpdate): Promise<SavedView> {
  return (await request<{ data: SavedView }>('PATCH', `/api/v1/views/${encodeURIComponent(id)}`, { body })).body.data;
}

export async function deleteView(id: string): Promise<void> {
  await request<void>('DELETE', `/api/v1/views/${encodeURIComponent(id)}`);
}
