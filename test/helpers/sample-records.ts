import type { LightMyRequestResponse } from 'fastify';
import type { ObjectDef } from '../../server/platform/records/types';
import type { TestApp } from './app';

type Call = (method: string, url: string, payload?: unknown) => Promise<LightMyRequestResponse>;

/**
 * One valid record of any declared object, made through the API as `call` (an
 * administrator): the declaration's required fields get a value of their type
 * (a relation points at a sample record of its target, made first), and
 * `extra` is added. Objects whose rules need consistent values (a stage of the
 * pipeline, a related record) get them from KNOWN; a new object with such rules
 * fails here loudly (its create answer is in the message) until it is added.
 */
export class SampleRecords {
  private readonly made = new Map<string, string>();
  private pipeline?: { id: string; stageId: string };

  constructor(
    private readonly t: TestApp,
    private readonly call: Call,
  ) {}

  /** The id of a sample record of `object` (made once). */
  async any(object: string): Promise<string> {
    const known = this.made.get(object);
    if (known) return known;
    const id = await this.create(object, {});
    this.made.set(object, id);
    return id;
  }

  async create(object: string, extra: Record<string, unknown>, marker = `Sample ${object}`): Promise<string> {
    const def = this.t.records.registry.get(object) as ObjectDef;
    const body: Record<string, unknown> = { ...(await this.known(object, marker)) };
    for (const f of def.fields) {
      if (body[f.name] !== undefined || !f.required || f.readOnly) continue;
      body[f.name] = await this.valueFor(f.type, f.relation?.object, f.options?.[0]?.value, marker);
    }
    for (const name of def.titleFields) {
      const f = def.fields.find((x) => x.name === name);
      if (f && !f.readOnly && ['text', 'longText'].includes(f.type) && body[name] === undefined) body[name] = marker;
    }
    Object.assign(body, extra);
    const res = await this.call('POST', `/api/v1/${object}`, body);
    if (res.statusCode !== 201) throw new Error(`sample ${object}: ${res.statusCode} ${res.body}`);
    return res.json().data.id as string;
  }

  private async valueFor(type: string, target: string | undefined, option: string | undefined, marker: string) {
    switch (type) {
      case 'relation':
        return this.any(target as string);
      case 'email':
        return `${marker.replace(/\W+/g, '.').toLowerCase()}@example.com`;
      case 'integer':
      case 'decimal':
      case 'percent':
        return 1;
      case 'money':
        return { amount: '1', currency: 'EUR' };
      case 'phone':
        return '+14155550123';
      case 'date':
        return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      case 'datetime':
        return new Date(Date.now() + 86_400_000).toISOString();
      case 'boolean':
        return false;
      case 'select':
        return option;
      default:
        return marker;
    }
  }

  /** Bodies for objects whose rules need more than their required fields. */
  private async known(object: string, marker: string): Promise<Record<string, unknown>> {
    switch (object) {
      case 'opportunities': {
        if (!this.pipeline) {
          const p = (await this.call('GET', '/api/v1/pipelines')).json().data[0];
          this.pipeline = { id: p.id, stageId: p.stages[0].id };
        }
        return { name: marker, pipelineId: this.pipeline.id, stageId: this.pipeline.stageId };
      }
      case 'quotes':
        return { name: marker, opportunityId: await this.any('opportunities'), currency: 'EUR' };
      case 'tasks':
      case 'notes':
        return { relatedObject: 'contacts', relatedId: await this.any('contacts') };
      case 'meetings':
        return { title: marker, startAt: new Date(Date.now() + 86_400_000).toISOString() };
      case 'interactions':
        return { topic: marker, channel: 'email', contactId: await this.any('contacts') };
      case 'staff':
        return { displayName: marker };
      case 'territories':
        return { name: marker, area: { regions: [{ country: 'DE' }] } };
      default:
        return {};
    }
  }
}
