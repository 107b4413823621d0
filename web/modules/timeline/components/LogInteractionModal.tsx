import { Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { createRecord } from '../../records/api/records.api';
import { fromLocalInput, localNow } from '../utils/relative-time';
import { linkFields } from './link-fields';
import { RecentContactsAlert } from './RecentContactsAlert';

const CHANNELS = [
  { value: 'call', label: 'Call' },
  { value: 'email', label: 'Email' },
  { value: 'meeting', label: 'Meeting' },
  { value: 'direct_mail', label: 'Direct mail' },
  { value: 'social', label: 'Social message' },
  { value: 'chat', label: 'Chat' },
];

interface Props {
  object: string;
  record: Record<string, unknown> & { id: string };
  opened: boolean;
  onClose: () => void;
  onSaved: () => void;
}

/** Logs an email, call, meeting… with a contact; warns first if a colleague contacted them recently. */
export function LogInteractionModal({ object, record, opened, onClose, onSaved }: Props) {
  const [channel, setChannel] = useState('call');
  const [direction, setDirection] = useState('outbound');
  const [topic, setTopic] = useState('');
  // Untouched, the time of saving is used (the server's clock, to the second).
  const [when, setWhen] = useState(localNow());
  const [whenTouched, setWhenTouched] = useState(false);
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [typedTopic] = useDebouncedValue(topic.trim(), 300);
  const contactId = object === 'contacts' ? record.id : undefined;

  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      await createRecord('interactions', {
        channel,
        direction,
        topic,
        occurredAt: whenTouched ? fromLocalInput(when) : undefined,
        body: body || undefined,
        ...linkFields(object, record),
      });
      setTopic('');
      setBody('');
      onSaved();
      onClose();
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(Object.fromEntries(err.errors.map((e) => [e.path, e.message])));
      } else setErrors({ form: err instanceof Error ? err.message : 'Could not save.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Log interaction"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack gap="sm">
        {contactId && <RecentContactsAlert contactId={contactId} channel={channel} topic={typedTopic || undefined} />}
        <Group grow wrap="wrap" gap="sm">
          <Select
            label="Channel"
            data={CHANNELS}
            value={channel}
            onChange={(v) => setChannel(v ?? 'call')}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          <Select
            label="Direction"
            data={[
              { value: 'outbound', label: 'Outbound' },
              { value: 'inbound', label: 'Inbound' },
            ]}
            value={direction}
            onChange={(v) => setDirection(v ?? 'outbound')}
            allowDeselect={false}
          />
        </Group>
        <TextInput
          label="Topic"
          required
          value={topic}
          onChange={(e) => setTopic(e.currentTarget.value)}
          error={errors.topic}
        />
        <TextInput
          label="When"
          type="datetime-local"
          value={when}
          onChange={(e) => {
            setWhen(e.currentTarget.value);
            setWhenTouched(true);
          }}
          error={errors.occurredAt}
        />
        <Textarea label="Notes" autosize minRows={2} value={body} onChange={(e) => setBody(e.currentTarget.value)} />
        {(errors.form || errors.contactId) && (
          <Text c="red.8" size="sm" role="alert">
            {errors.form ?? errors.contactId}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} h={40}>
            Cancel
          </Button>
          <Button onClick={save} loading={busy} disabled={!topic.trim()} h={40}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
