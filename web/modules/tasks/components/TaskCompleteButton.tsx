import { Button } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { recordKeys } from '../../records/api/record-keys';
import { type RecordData, updateRecord } from '../../records/api/records.api';

/** On a task's page: mark it done (or reopen it) in one click. */
export function TaskCompleteButton({
  object,
  record,
  etag,
}: {
  object: string;
  record: RecordData;
  etag: string | null;
}) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  if (object !== 'tasks') return null;
  const done = record.status === 'done';
  const toggle = async () => {
    setBusy(true);
    try {
      await updateRecord('tasks', record.id, { status: done ? 'open' : 'done' }, etag);
      await queryClient.invalidateQueries({ queryKey: recordKeys.all('tasks') });
      void queryClient.invalidateQueries({ queryKey: ['my-day'] });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button h={40} variant={done ? 'default' : 'filled'} onClick={toggle} loading={busy}>
      {done ? 'Reopen' : 'Mark done'}
    </Button>
  );
}
