import { Badge, Button, Checkbox, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { AnchorLink } from '../../../ui/links';
import { InteractionChatLink, OpenChatLink } from '../../chat/components/ChatLink';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { formatValue } from '../../records/utils/format';
import type { TimelineItem } from '../api/timeline.api';
import { bodyParts } from '../utils/mentions';
import { formatDateTime, relativeTime } from '../utils/relative-time';

const KIND_LABEL: Record<string, string> = {
  event: 'History',
  comment: 'Comment',
  interaction: 'Interaction',
  task: 'Task',
  meeting: 'Meeting',
  note: 'Note',
};
const KIND_COLOR: Record<string, string> = {
  event: 'gray',
  comment: 'violet',
  interaction: 'blue',
  task: 'orange',
  meeting: 'teal',
  note: 'yellow',
};

const ACTION: Record<string, string> = {
  created: 'Created',
  updated: 'Changed',
  deleted: 'Moved to the trash',
  restored: 'Restored from the trash',
  purged: 'Deleted for good',
  stage_changed: 'Stage moved',
  converted: 'Converted',
  merged: 'Merged',
  submitted: 'Submitted a form',
  changed: 'Consent changed',
  viewed: 'Visited the website',
  identified: 'Identified as a website visitor',
  csat_received: 'Rated our service',
  opened: 'Opened a campaign email',
  clicked: 'Clicked a link in a campaign email',
  imported: 'Imported',
  replied: 'Answered the invitation',
};

/** Forms and consents: which form, which purpose (the event's data). */
function eventDetail(item: TimelineItem): string {
  const data = (item.data ?? {}) as Record<string, unknown>;
  if (item.type === 'form.submitted' && typeof data.formName === 'string') return `: ${data.formName}`;
  if (item.type === 'consent.changed') return `: ${String(data.purpose ?? '')} ${String(data.status ?? '')}`;
  if (item.type === 'page.viewed' && typeof data.path === 'string') return `: ${data.path}`;
  if (item.type === 'contact.csat_received' && typeof data.rating === 'number')
    return `: ${data.rating} / 5 for ${data.channel === 'chat' ? 'a live chat' : `ticket #${String(data.number ?? '')}`}${typeof data.comment === 'string' ? ` — “${data.comment}”` : ''}`;
  if (item.type === 'email.clicked' && typeof data.url === 'string') return `: ${data.url}`;
  if (item.type === 'record.imported' && typeof data.fileName === 'string')
    return ` from ${data.fileName}${typeof data.row === 'number' ? ` (row ${data.row})` : ''}${data.result === 'updated' ? ', updating it' : ''}`;
  if (item.type === 'meeting.replied' && typeof data.partstat === 'string')
    return `: ${String(data.name ?? data.email ?? '')} ${data.partstat.toLowerCase()}`;
  return '';
}

interface Props {
  item: TimelineItem;
  objects: ObjectMeta[];
  onToggleTask?: (id: string, done: boolean) => void;
  /** Given when the caller may delete this entry (their own comment, or an administrator). */
  onDelete?: () => void;
}

function meta(objects: ObjectMeta[], name: string | undefined) {
  return objects.find((o) => o.name === name);
}

function show(objects: ObjectMeta[], object: string | undefined, field: string, value: unknown, names?: Names): string {
  const f = meta(objects, object)?.fields.find((x) => x.name === field);
  if (typeof value === 'string' && names && value in names) {
    // Owners, accounts, converted records: their names, never ids (null: the caller may not read it).
    const target = f?.relation?.object ?? '';
    return names[value] ?? `a restricted ${meta(objects, target)?.singular ?? 'record'}`;
  }
  const text = f ? formatValue(f, value) : value == null ? '' : String(value);
  return text === '' ? '—' : text;
}

type Names = Record<string, string | null>;

/** "the contact Ada Lovelace, the account Acme Ltd and the opportunity Renewal" (what a lead became). */
function convertedInto(item: TimelineItem): string {
  const data = item.data ?? {};
  const parts = (
    [
      ['contact', data.contactId],
      ['account', data.accountId],
      ['opportunity', data.opportunityId],
    ] as const
  ).flatMap(([noun, id]) => {
    if (typeof id !== 'string') return [];
    const name = item.names?.[id];
    return [name ? `the ${noun} ${name}` : `a restricted ${noun}`];
  });
  if (parts.length === 0) return '';
  const last = parts.pop();
  return ` into ${parts.length ? `${parts.join(', ')} and ${last}` : last}`;
}

function EventBody({ item, objects }: { item: TimelineItem; objects: ObjectMeta[] }) {
  const action = item.type?.split('.').slice(1).join('.') ?? '';
  const changes = Object.entries(item.changes ?? {});
  const m = meta(objects, item.object);
  const stage = item.data as { from?: { stageId?: unknown }; to?: { stageId?: unknown } } | undefined;
  // Stage moves carry the stage ids; the object's stage options name them.
  const stageName = (v: { stageId?: unknown } | undefined) => show(objects, item.object, 'stageId', v?.stageId);
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {ACTION[action] ?? item.type}
        {action === 'stage_changed' && stage?.to ? `: ${stageName(stage.from)} → ${stageName(stage.to)}` : ''}
        {action === 'converted' ? convertedInto(item) : ''}
        {eventDetail(item)}
      </Text>
      {item.type === 'contact.csat_received' &&
        item.data?.channel === 'chat' &&
        typeof item.data.conversationId === 'string' && <OpenChatLink id={item.data.conversationId} />}
      {changes.map(([field, [from, to]]) => (
        <Text key={field} size="sm" style={{ overflowWrap: 'anywhere' }}>
          <Text span c="dimmed" size="sm">
            {m?.fields.find((f) => f.name === field)?.label ?? field}:
          </Text>{' '}
          {show(objects, item.object, field, from, item.names)} → {show(objects, item.object, field, to, item.names)}
        </Text>
      ))}
    </Stack>
  );
}

function CommentBody({ body }: { body: string }) {
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {bodyParts(body).map((p) =>
        'text' in p ? (
          <span key={p.at}>{p.text}</span>
        ) : (
          <Text key={p.at} span fw={600} c="violet.8" data-mention={p.mention.id}>
            @{p.mention.name}
          </Text>
        ),
      )}
    </Text>
  );
}

function ActivityBody({ item, objects, onToggleTask }: Props) {
  const r: Record<string, unknown> = item.record ?? { id: item.id };
  const object = item.object ?? '';
  const title = String(r.title ?? r.topic ?? '');
  const link = (children: ReactNode) => (
    <AnchorLink to="/$object/$id" params={{ object, id: r.id as string }} size="sm" fw={600}>
      {children}
    </AnchorLink>
  );
  if (item.kind === 'interaction') {
    return (
      <Stack gap={2}>
        <Text size="sm">
          {show(objects, object, 'channel', r.channel)} · {show(objects, object, 'direction', r.direction)} ·{' '}
          {link(title)}
        </Text>
        {typeof r.body === 'string' && r.body && (
          <Text size="sm" c="dimmed" lineClamp={3}>
            {r.body}
          </Text>
        )}
        {r.channel === 'chat' && typeof r.id === 'string' && <InteractionChatLink interactionId={r.id} />}
      </Stack>
    );
  }
  if (item.kind === 'task') {
    const done = r.status === 'done';
    return (
      <Group gap="xs" wrap="nowrap" align="flex-start">
        {onToggleTask && (
          <Checkbox
            aria-label={done ? `Reopen ${title}` : `Complete ${title}`}
            checked={done}
            onChange={(e) => onToggleTask(r.id as string, e.currentTarget.checked)}
            mt={2}
          />
        )}
        <Stack gap={0}>
          <Text size="sm" td={done ? 'line-through' : undefined}>
            {link(title)}
          </Text>
          <Text size="xs" c="dimmed">
            {r.dueAt ? `Due ${formatDateTime(String(r.dueAt))}` : 'No due date'} ·{' '}
            {show(objects, object, 'status', r.status)}
          </Text>
        </Stack>
      </Group>
    );
  }
  if (item.kind === 'meeting') {
    return (
      <Stack gap={0}>
        <Text size="sm">{link(title)}</Text>
        <Text size="xs" c="dimmed">
          {r.startAt ? formatDateTime(String(r.startAt)) : ''}
          {r.location ? ` · ${String(r.location)}` : ''}
        </Text>
      </Stack>
    );
  }
  return (
    <Stack gap={2}>
      {title && <Text size="sm">{link(title)}</Text>}
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} lineClamp={6}>
        {String(r.body ?? '')}
      </Text>
      {!title && link('Open note')}
    </Stack>
  );
}

/** One entry of a record's timeline. */
export function TimelineEntry({ item, objects, onToggleTask, onDelete }: Props) {
  return (
    <Stack gap={4} component="li" data-kind={item.kind} style={{ listStyle: 'none' }}>
      <Group gap="xs" wrap="wrap">
        <Badge color={KIND_COLOR[item.kind]} variant="light" radius="sm" c="var(--mantine-color-text)">
          {KIND_LABEL[item.kind]}
        </Badge>
        <Text size="xs" c="dimmed" component="span">
          {item.actor?.name ?? 'System'} ·{' '}
          <time dateTime={item.at} title={formatDateTime(item.at)}>
            {relativeTime(item.at)}
          </time>
        </Text>
        {onDelete && (
          <Button
            variant="subtle"
            size="compact-xs"
            h={40}
            color="gray"
            c="dimmed"
            onClick={onDelete}
            aria-label="Delete comment"
          >
            Delete
          </Button>
        )}
      </Group>
      {item.kind === 'event' ? (
        <EventBody item={item} objects={objects} />
      ) : item.kind === 'comment' ? (
        <CommentBody body={item.body ?? ''} />
      ) : (
        <ActivityBody item={item} objects={objects} onToggleTask={onToggleTask} />
      )}
    </Stack>
  );
}
