import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../platform/events/events';
import { entryOf } from './feed.consumer';

const event = (type: string, object: string | null, data: Record<string, unknown> = {}): StoredEvent => ({
  id: '0190a0b0-0000-7000-8000-0000000000e1',
  workspaceId: '0190a0b0-0000-7000-8000-0000000000a1',
  type,
  object,
  recordId: object ? '0190a0b0-0000-7000-8000-0000000000c1' : null,
  actorUserId: '0190a0b0-0000-7000-8000-0000000000d1',
  actorApiKeyId: null,
  data,
  createdAt: new Date(),
});

describe('which events make feed entries', () => {
  it('new and changed records of the feed’s objects; bookkeeping changes alone make none', () => {
    expect(entryOf(event('contact.created', 'contacts'))).toMatchObject({ type: 'contact.created' });
    expect(
      entryOf(event('account.updated', 'accounts', { changes: { name: ['A', 'B'], updatedAt: [1, 2] } })),
    ).toMatchObject({ type: 'account.updated', fields: ['name'] });
    expect(entryOf(event('account.updated', 'accounts', { changes: { lastContactedAt: [null, 'x'] } }))).toBeNull();
    expect(entryOf(event('task.created', 'tasks'))).toBeNull();
    expect(entryOf(event('contact.deleted', 'contacts'))).toBeNull();
  });

  it('won and lost from the stage change, not as an update; conversions once', () => {
    expect(entryOf(event('opportunity.stage_changed', 'opportunities', { to: { status: 'won' } }))).toMatchObject({
      type: 'opportunity.won',
    });
    expect(entryOf(event('opportunity.stage_changed', 'opportunities', { to: { status: 'lost' } }))).toMatchObject({
      type: 'opportunity.lost',
    });
    expect(entryOf(event('opportunity.stage_changed', 'opportunities', { to: { status: 'open' } }))).toBeNull();
    expect(
      entryOf(
        event('opportunity.updated', 'opportunities', { changes: { status: ['open', 'won'], stageId: ['a', 'b'] } }),
      ),
    ).toBeNull();
    expect(entryOf(event('lead.updated', 'leads', { changes: { status: ['new', 'converted'] } }))).toBeNull();
    expect(entryOf(event('lead.converted', 'leads'))).toMatchObject({ type: 'lead.converted', object: 'leads' });
  });

  it('comments on any record, deleted with the comment', () => {
    const comment = {
      id: '0190a0b0-0000-7000-8000-0000000000f1',
      object: 'tasks',
      recordId: 'r1',
      body: 'hi',
      mentions: [],
    };
    expect(entryOf(event('comment.created', 'comments', { comment }))).toEqual({
      id: comment.id,
      type: 'comment.created',
      object: 'tasks',
      recordId: 'r1',
      body: 'hi',
      mentions: [],
    });
    expect(entryOf(event('comment.deleted', 'comments', { comment }))).toBe('delete');
  });
});
