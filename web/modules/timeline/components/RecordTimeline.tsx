import { Button, Card, Group, SegmentedControl, Stack, Switch, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Icon } from '../../../ui/Icon';
import { meQuery } from '../../auth/api/auth.api';
import { can, type ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { recordKeys } from '../../records/api/record-keys';
import { updateRecord } from '../../records/api/records.api';
import { deleteComment, getTimeline, timelineKeys } from '../api/timeline.api';
import { MEETING_FIELDS, NOTE_FIELDS, TASK_FIELDS } from './activity-forms';
import { CommentBox } from './CommentBox';
import { LogInteractionModal } from './LogInteractionModal';
import { linkFields } from './link-fields';
import { QuickCreateModal } from './QuickCreateModal';
import { TimelineEntry } from './TimelineEntry';

const FILTERS = [
  { value: '', label: 'All' },
  { value: 'interaction,meeting,task,note', label: 'Activities' },
  { value: 'comment', label: 'Comments' },
  { value: 'event', label: 'History' },
];

type Dialog = 'interaction' | 'note' | 'task' | 'meeting' | null;

/** A record's timeline: what happened, newest first, and the actions that add to it. */
export function RecordTimeline({
  meta,
  record,
}: {
  meta: ObjectMeta;
  record: Record<string, unknown> & { id: string };
}) {
  const objects = useObjects();
  const me = useQuery(meQuery).data;
  const queryClient = useQueryClient();
  const [kinds, setKinds] = useState('');
  const [rollUp, setRollUp] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const id = record.id;
  const q = useInfiniteQuery({
    queryKey: [...timelineKeys.list(meta.name, id, kinds), rollUp],
    queryFn: ({ pageParam, signal }) =>
      getTimeline(meta.name, id, { kinds: kinds || undefined, cursor: pageParam, includeContacts: rollUp }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.nextCursor ?? undefined,
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: timelineKeys.all(meta.name, id) });
    void queryClient.invalidateQueries({ queryKey: ['recent-contacts'] });
    void queryClient.invalidateQueries({ queryKey: ['my-day'] });
  };
  const toggleTask = async (taskId: string, done: boolean) => {
    await updateRecord('tasks', taskId, { status: done ? 'done' : 'open' }, null);
    void queryClient.invalidateQueries({ queryKey: recordKeys.all('tasks') });
    refresh();
  };
  const allowed = (o: string) => {
    const m = objects.find((x) => x.name === o);
    return !!m && can(m, 'create');
  };
  const items = q.data?.pages.flatMap((p) => p.data) ?? [];
  const related = linkFields(meta.name, record, false);
  const meetingExtra = meta.name === 'contacts' ? { ...related, attendeeContactIds: [id] } : related;

  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="timeline-title" mt="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={2} fz="h5" id="timeline-title">
            Timeline
          </Title>
          <Group gap="xs" wrap="wrap">
            {allowed('interactions') && (
              <Button
                size="sm"
                h={40}
                variant="light"
                onClick={() => setDialog('interaction')}
                leftSection={<Icon name="plus" size={14} />}
              >
                Log interaction
              </Button>
            )}
            {allowed('notes') && (
              <Button size="sm" h={40} variant="default" onClick={() => setDialog('note')}>
                Add note
              </Button>
            )}
            {allowed('tasks') && (
              <Button size="sm" h={40} variant="default" onClick={() => setDialog('task')}>
                New task
              </Button>
            )}
            {allowed('meetings') && (
              <Button size="sm" h={40} variant="default" onClick={() => setDialog('meeting')}>
                New meeting
              </Button>
            )}
          </Group>
        </Group>
        <CommentBox object={meta.name} id={id} onDone={refresh} />
        <Group justify="space-between" wrap="wrap" gap="xs">
          <SegmentedControl data={FILTERS} value={kinds} onChange={setKinds} aria-label="Show" size="xs" />
          {meta.name === 'accounts' && (
            <Switch label="Include contacts" checked={rollUp} onChange={(e) => setRollUp(e.currentTarget.checked)} />
          )}
        </Group>
        {q.isPending ? (
          <Text size="sm" c="dimmed">
            Loading…
          </Text>
        ) : q.isError ? (
          <Text size="sm" c="red.8" role="alert">
            Could not load the timeline: {q.error.message}
          </Text>
        ) : items.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing here yet.
          </Text>
        ) : (
          <Stack gap="md" component="ol" p={0} m={0} data-testid="timeline">
            {items.map((item) => (
              <TimelineEntry
                key={`${item.kind}-${item.id}`}
                item={item}
                objects={objects}
                onToggleTask={toggleTask}
                onDelete={
                  item.kind === 'comment' && (me?.role === 'administrator' || item.actor?.id === me?.user?.id)
                    ? () => {
                        if (window.confirm('Delete this comment?'))
                          void deleteComment(meta.name, id, item.id).then(refresh);
                      }
                    : undefined
                }
              />
            ))}
          </Stack>
        )}
        {q.hasNextPage && (
          <Button variant="subtle" h={40} onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
            Show older
          </Button>
        )}
      </Stack>
      {dialog === 'interaction' && (
        <LogInteractionModal
          object={meta.name}
          record={record}
          opened
          onClose={() => setDialog(null)}
          onSaved={refresh}
        />
      )}
      <QuickCreateModal
        title="Add note"
        object="notes"
        fields={NOTE_FIELDS}
        extra={related}
        opened={dialog === 'note'}
        onClose={() => setDialog(null)}
        onSaved={refresh}
      />
      <QuickCreateModal
        title="New task"
        object="tasks"
        fields={TASK_FIELDS}
        extra={related}
        opened={dialog === 'task'}
        onClose={() => setDialog(null)}
        onSaved={refresh}
      />
      <QuickCreateModal
        title="New meeting"
        object="meetings"
        fields={MEETING_FIELDS}
        extra={meetingExtra}
        opened={dialog === 'meeting'}
        onClose={() => setDialog(null)}
        onSaved={refresh}
      />
    </Card>
  );
}
