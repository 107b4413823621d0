import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

export type Action = 'create' | 'read' | 'update' | 'delete' | 'export';
export const ACTIONS: Action[] = ['create', 'read', 'update', 'delete', 'export'];

type Call = (method: string, url: string, cookie: string, payload?: unknown) => Promise<LightMyRequestResponse>;

/**
 * One cell of a permission matrix through the HTTP API: the administrator makes a
 * record owned by the caller (so record scope does not interfere), the caller tries
 * `action` on it, and the answer must be allowed or 403 — a refused change changes nothing.
 */
export async function checkMatrixCell(opts: {
  call: Call;
  adminCookie: string;
  caller: { cookie: string; userId: string };
  object: string;
  action: Action;
  allowed: boolean;
  createBody: (tag: string) => Record<string, unknown>;
  updateBody: Record<string, unknown>;
}): Promise<void> {
  const { call, adminCookie, caller, object, action, allowed } = opts;
  const made = await call('POST', `/api/v1/${object}`, adminCookie, {
    ...opts.createBody(`owned-${action}`),
    ownerId: caller.userId,
  });
  expect(made.statusCode, made.body).toBe(201);
  const own = made.json().data;
  let res: LightMyRequestResponse;
  switch (action) {
    case 'create':
      res = await call('POST', `/api/v1/${object}`, caller.cookie, opts.createBody('new'));
      expect(res.statusCode, res.body).toBe(allowed ? 201 : 403);
      break;
    case 'read':
      res = await call('GET', `/api/v1/${object}/${own.id}`, caller.cookie);
      expect(res.statusCode, res.body).toBe(allowed ? 200 : 403);
      break;
    case 'update':
      res = await call('PATCH', `/api/v1/${object}/${own.id}`, caller.cookie, opts.updateBody);
      expect(res.statusCode, res.body).toBe(allowed ? 200 : 403);
      break;
    case 'delete':
      res = await call('DELETE', `/api/v1/${object}/${own.id}`, caller.cookie);
      expect(res.statusCode, res.body).toBe(allowed ? 204 : 403);
      break;
    case 'export':
      res = await call('GET', `/api/v1/${object}/export`, caller.cookie);
      expect(res.statusCode, res.body).toBe(allowed ? 200 : 403);
      if (allowed) expect(res.headers['content-type']).toMatch(/text\/csv/);
      break;
  }
  if (!allowed) expect(res.json().code).toBe('forbidden');
  const after = (await call('GET', `/api/v1/${object}/${own.id}`, adminCookie)).json().data;
  if (!allowed && action !== 'read' && action !== 'export') expect(after).toEqual(own);
}
