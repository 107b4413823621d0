import { describe, expect, it } from 'vitest';
import { IvrDefinitionSchema } from '../../../../common/contracts/telephony';
import type { IvrNode } from '../api/telephony.api';
import { freshId, newNode, problemsByNode, renameNode } from './ivr-draft';

const FLOW: { start: string; nodes: IvrNode[] } = {
  start: 'welcome',
  nodes: [
    { id: 'welcome', kind: 'greeting', prompt: { say: 'Hello.' }, next: 'lookup' },
    { id: 'lookup', kind: 'lookup', known: 'menu', unknown: 'menu' },
    { id: 'menu', kind: 'menu', prompt: { say: 'Press 1.' }, options: { '1': 'menu', '2': 'bye' }, default: 'menu' },
    { id: 'bye', kind: 'hangup' },
  ],
};

describe('the IVR editor’s draft', () => {
  it('renames a node and every reference to it, so the flow stays whole', () => {
    const r = renameNode(FLOW.nodes, FLOW.start, 'menu', 'main-menu');
    const parsed = IvrDefinitionSchema.safeParse({ start: r.start, nodes: r.nodes });
    expect(parsed.success).toBe(true);
    expect(r.nodes.find((n) => n.id === 'lookup')).toMatchObject({ known: 'main-menu', unknown: 'main-menu' });
    expect(r.nodes.find((n) => n.id === 'main-menu')).toMatchObject({
      options: { '1': 'main-menu', '2': 'bye' },
      default: 'main-menu',
    });
    expect(r.nodes.some((n) => n.id === 'menu')).toBe(false);
    expect(renameNode(FLOW.nodes, 'welcome', 'welcome', 'hello').start).toBe('hello');
  });

  it('makes new nodes of every kind that the contract accepts once their fields are filled', () => {
    const taken = ['welcome'];
    expect(freshId('menu', ['menu', 'menu-2'])).toBe('menu-3');
    const nodes = (['greeting', 'menu', 'hours', 'lookup', 'queue', 'voicemail', 'hangup'] as const).map((k) =>
      newNode(k, taken, 'welcome'),
    );
    const filled = nodes.map((n) =>
      'prompt' in n && n.prompt ? { ...n, prompt: { say: 'Hi', language: 'en-US' } } : n,
    );
    const def = { start: 'greeting', nodes: [...filled, newNode('greeting', ['greeting'], 'greeting')] };
    const parsed = IvrDefinitionSchema.safeParse({
      ...def,
      nodes: def.nodes.map((n) => (n.id === 'greeting-2' ? { ...n, id: 'welcome', prompt: { say: 'Hi' } } : n)),
    });
    expect(parsed.error?.issues).toBeUndefined();
  });

  it('puts the server’s problems on the node they are about', () => {
    const p = problemsByNode([
      { path: 'definition.nodes.2.next', message: 'names no node: hangup' },
      { path: 'definition.start', message: 'names no node: x' },
      { path: 'definition.nodes.2', message: 'is not valid' },
    ]);
    expect(p.nodes.get(2)).toEqual(['next: names no node: hangup', 'is not valid']);
    expect(p.flow).toEqual(['start: names no node: x']);
  });
});
