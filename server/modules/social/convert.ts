import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';
import { campaignOfThread } from '../campaigns';
import { systemActor } from '../tickets';

/**
 * Turns a social message into a lead, a contact, a ticket or a task in one step, as the
 * caller (their permissions on the new object apply), and links the message to it.
 */
export async function convertMessage(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  to: 'lead' | 'contact' | 'ticket' | 'task',
): Promise<{ object: string; id: string }> {
  await records.require(tx, actor, 'social_messages', id, 'update');
  const sys = systemActor(actor.workspaceId);
  const m = await records.get(tx, sys, 'social_messages', id, {
    fields: 'id,network,kind,text,authorId,authorHandle,authorName,authorUrl,contactId,sentiment,threadId',
  });
  const name = String(m.authorName ?? m.authorHandle ?? m.authorId ?? 'Social contact').slice(0, 100);
  const text = String(m.text ?? '');
  const headline = `${String(m.network)} ${String(m.kind)} from ${name}`;
  if (to === 'lead') {
    // A comment on a social campaign's post: the lead came from that campaign (first touch).
    const campaignId = m.threadId ? await campaignOfThread(tx, actor.workspaceId, String(m.threadId)) : null;
    const lead = await records.create(tx, actor, 'leads', {
      lastName: name,
      source: 'social',
      ...(campaignId ? { sourceCampaignId: campaignId } : {}),
    });
    await records.systemWrite(tx, sys, 'social_messages', id, { leadId: lead.id });
    return { object: 'leads', id: lead.id as string };
  }
  if (to === 'contact') {
    const contact = await records.create(tx, actor, 'contacts', {
      lastName: name,
      socialProfiles: { [String(m.network)]: String(m.authorId) },
    });
    await records.systemWrite(tx, sys, 'social_messages', id, { contactId: contact.id });
    return { object: 'contacts', id: contact.id as string };
  }
  if (to === 'ticket') {
    const ticket = await records.create(tx, actor, 'tickets', {
      subject: (text ? `${headline}: ${text}` : headline).slice(0, 300),
      channel: 'social',
      priority: typeof m.sentiment === 'number' && m.sentiment < 0 ? 'high' : 'normal',
      ...(m.contactId ? { contactId: m.contactId } : {}),
    });
    return { object: 'tickets', id: ticket.id as string };
  }
  const task = await records.create(tx, actor, 'tasks', {
    title: `Follow up: ${headline}`.slice(0, 300),
    relatedObject: 'social_messages',
    relatedId: id,
    ...(actor.userId ? { assigneeId: actor.userId } : {}),
  });
  return { object: 'tasks', id: task.id as string };
}
