import type { FastifyInstance } from 'fastify';
import { AppError } from './errors';

/** Deepest JSON nesting accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

/**
 * Walks parsed JSON without recursion, refusing what PostgreSQL or our own code
 * cannot take safely: NUL characters (no PostgreSQL text holds them), prototype
 * keys, and nesting deeper than MAX_JSON_DEPTH (recursive serialisers overflow).
 */
export function checkJson(value: unknown, root = 'body'): void {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw nul(path || root);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new AppError('malformed_json', `JSON nests deeper than ${MAX_JSON_DEPTH} levels`, {
        errors: [{ path: path || root, message: `nests deeper than ${MAX_JSON_DEPTH} levels` }],
      });
    }
    for (const [k, child] of Object.entries(v)) {
      if (k.includes('\u0000')) throw nul(path || root);
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') {
        throw new AppError('malformed_json', `"${k}" is not an acceptable key`, {
          errors: [{ path: path ? `${path}.${k}` : k, message: 'is not an acceptable key' }],
        });
      }
      stack.push({ v: child, path: path ? `${path}.${k}` : k, depth: depth + 1 });
    }
  }
}

const nul = (path: string) =>
  new AppError('validation_failed', `${path}: text may not contain the NUL character`, {
    errors: [{ path, message: 'may not contain the NUL character (U+0000)' }],
  });

/** Installs the guarded JSON body parser and the query-string check. */
export function registerInputGuard(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json$/, { parseAs: 'string' }, (_req, body, done) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body as string);
    } catch (err) {
      const detail =
        body === ''
          ? 'The body is empty but its content-type says JSON'
          : `Body is not valid JSON: ${(err as Error).message}`;
      done(new AppError('malformed_json', detail), undefined);
      return;
    }
    try {
      checkJson(parsed);
      done(null, parsed);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addHook('preValidation', async (req) => {
    if (req.query && typeof req.query === 'object') checkJson(req.query, 'query');
    if (req.params && typeof req.params === 'object') checkJson(req.params, 'params');
  });
}
