import type { FieldProblem } from '../../../lib/http';
import type { IvrNode, IvrNodeKind } from '../api/telephony.api';

/** What each kind of IVR node is called in the editor, in the order the "Add node" menu offers them. */
export const NODE_KINDS: Record<IvrNodeKind, string> = {
  greeting: 'Greeting',
  menu: 'Menu (press a key)',
  hours: 'Business hours',
  lookup: 'Caller lookup',
  answer: 'Self-service answer',
  queue: 'Queue',
  voicemail: 'Voicemail',
  transfer: 'Transfer to a number',
  hangup: 'Hang up',
};

/** The fields of each kind that name the node that follows (menus also name one per key in `options`). */
export const TARGETS: Record<IvrNodeKind, { key: string; label: string; optional?: boolean }[]> = {
  greeting: [{ key: 'next', label: 'Then' }],
  menu: [{ key: 'default', label: 'After the retries without a valid key' }],
  hours: [
    { key: 'open', label: 'When open' },
    { key: 'closed', label: 'When closed' },
  ],
  lookup: [
    { key: 'known', label: 'Known caller' },
    { key: 'unknown', label: 'Unknown caller' },
  ],
  answer: [{ key: 'next', label: 'Then' }],
  queue: [{ key: 'overflow', label: 'Overflow (a long wait or a full queue)', optional: true }],
  voicemail: [],
  transfer: [],
  hangup: [],
};

/** A fresh id for a node of `kind` that no node of the flow uses yet (`menu`, `menu-2`…). */
export function freshId(kind: IvrNodeKind, taken: string[]): string {
  if (!taken.includes(kind)) return kind;
  let n = 2;
  while (taken.includes(`${kind}-${n}`)) n++;
  return `${kind}-${n}`;
}

/** A new node of `kind`; branches point at `fallback` (the flow's start) until the user chooses. */
export function newNode(kind: IvrNodeKind, taken: string[], fallback: string): IvrNode {
  const id = freshId(kind, taken);
  const prompt = { say: '', language: 'en-US' };
  switch (kind) {
    case 'greeting':
      return { id, kind, prompt, next: fallback };
    case 'menu':
      return { id, kind, prompt, options: {}, retries: 2, timeoutSeconds: 5, default: fallback };
    case 'hours':
      return { id, kind, open: fallback, closed: fallback };
    case 'lookup':
      return { id, kind, greeting: 'Hello {{name}}.', language: 'en-US', known: fallback, unknown: fallback };
    case 'answer':
      return {
        id,
        kind,
        object: 'opportunities',
        field: 'stageId',
        filter: { field: 'status', op: 'eq', value: 'open' },
        say: 'Your order is at the {{value}} stage.',
        missing: 'Sorry, we found no open order for your number.',
        language: 'en-US',
        next: fallback,
      };
    case 'queue':
      return { id, kind, queue: 'support' };
    case 'voicemail':
      return { id, kind, prompt, maxLengthSeconds: 120, creates: 'ticket' };
    case 'transfer':
      return { id, kind, number: '' };
    case 'hangup':
      return { id, kind };
  }
}

/** Renames a node and every reference to it (start, branches, menu keys). */
export function renameNode(nodes: IvrNode[], start: string, from: string, to: string) {
  const swap = (v: unknown) => (v === from ? to : v);
  const renamed = nodes.map((n) => {
    const next: Record<string, unknown> = { ...n, id: n.id === from ? to : n.id };
    for (const t of TARGETS[n.kind]) next[t.key] = swap(next[t.key]);
    if (n.kind === 'menu') {
      next.options = Object.fromEntries(Object.entries(n.options).map(([k, v]) => [k, swap(v)]));
    }
    return next as IvrNode;
  });
  return { nodes: renamed, start: start === from ? to : start };
}

/**
 * The server's field problems (`definition.nodes.2.options.4: names no node: sales`) grouped by
 * the node they are about (its index), the rest (name, start) under `flow`.
 */
export function problemsByNode(errors: FieldProblem[]): { flow: string[]; nodes: Map<number, string[]> } {
  const nodes = new Map<number, string[]>();
  const flow: string[] = [];
  for (const e of errors) {
    const m = /^definition\.nodes\.(\d+)(?:\.(.+))?$/.exec(e.path);
    if (!m) {
      flow.push(`${e.path.replace(/^definition\./, '')}: ${e.message}`);
      continue;
    }
    const i = Number(m[1]);
    nodes.set(i, [...(nodes.get(i) ?? []), m[2] ? `${m[2]}: ${e.message}` : e.message]);
  }
  return { flow, nodes };
}
