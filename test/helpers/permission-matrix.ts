import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { client, type HasApp } from './http';

export type Action = 'create' | 'read' | 'update' | 'delete' | 'export';
export const ACTIONS: Action[] = ['create', 'read', 'update', 'delete', 'export'];

/**
 * One cell of a permission matrix through the HTTP API: the administrator makes a
 * record owned by the caller (so record scope does not interfere), the caller tries
 * `action` on it, and the answer must be allowed or 403 — a refused change changes nothing.
 */
export async function checkMatrixCell(opts: {
  t: HasApp;
  adminCookie: string;
  caller: { cookie: string; userId: string };
  object: string;
  action: Action;
  allowed: boolean;
  createBody: (tag: string) => Record<string, unknown>;
  updateBody: Record<string, unknown>;
}): Promise<void> {
  const { t, adminCookie, caller, object, action, allowed } = opts;
  const admin = client(t, adminCookie);
  const as = client(t, caller.cookie);
  const made = await admin.post(`/api/v1/${object}`, {
    ...opts.createBody(`owned-${action}`),
    ownerId: caller.userId,
  });
  expect(made.statusCode, made.body).toBe(201);
  const own = made.json().data;
  let res: LightMyRequestResponse;
  switch (action) {
    case 'create':
      res = await as.post(`/api/v1/${object}`, opts.createBody('new'));
      expect(res.statusCode, res.body).toBe(allowed ? 201 : 403);
      break;
    case 'read':
      res = await as.get(`/api/v1/${object}/${own.id}`);
      expect(res.statusCode, res.body).toBe(allowed ? 200 : 403);
      break;
    case 'update':
      res = await as.patch(`/api/v1/${object}/${own.id}`, opts.updateBody);
      expect(res.statusCode, res.body).toBe(allowed ? 200 : 403);
      break;
    case 'delete':
      res = await as.del(`/api/v1/${object}/${own.id}`);
      expect(res.statusCode, res.body).toBe(allowed ? 204 : 403);
      break;
    case 'export':
      res = await as.get(`/api/v1/${object}/export`);
      expect(res.statusCode, res.body).toBe(allowed ? 200 : 403);
      if (allowed) expect(res.headers['content-type']).toMatch(/text\/csv/);
      break;
  }
  if (!allowed) expect(res.json().code).toBe('forbidden');
  const after = (await admin.get(`/api/v1/${object}/${own.id}`)).json().data;
  if (!allowed && action !== 'read' && action !== 'export') expect(after).toEqual(own);
}
