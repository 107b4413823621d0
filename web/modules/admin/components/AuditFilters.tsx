import { Autocomplete, Button, Group, Select, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { objectsQuery } from '../../objects/api/objects.api';
import { membersQuery } from '../../people/api/people.api';
import type { AuditFilter } from '../api/admin.api';

const ACTIONS = [
  'record.created',
  'record.updated',
  'record.trashed',
  'record.restored',
  'record.purged',
  'record.shared',
  'record.sensitive_read',
  'records.exported',
  'role.created',
  'role.changed',
  'role.deleted',
  'member.role_changed',
  'member.removed',
  'team.created',
  'team.renamed',
  'team.deleted',
  'team.member_added',
  'team.member_removed',
  'workspace.settings_changed',
  'audit_log.exported',
  'auth.sign_in',
  'auth.sign_in_failed',
];

/** Search by actor, action, object, record and date range (dates are whole days, UTC). */
export function AuditFilters({ value, onChange }: { value: AuditFilter; onChange: (f: AuditFilter) => void }) {
  const members = useQuery(membersQuery);
  const objects = useQuery(objectsQuery);
  const [draft, setDraft] = useState({
    actorUserId: value.actorUserId ?? '',
    action: value.action ?? '',
    object: value.object ?? '',
    recordId: value.recordId ?? '',
    from: value.from?.slice(0, 10) ?? '',
    to: '',
  });
  const set = (k: keyof typeof draft) => (v: string | null) => setDraft((d) => ({ ...d, [k]: v ?? '' }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: AuditFilter = {};
    if (draft.actorUserId) next.actorUserId = draft.actorUserId;
    if (draft.action.trim()) next.action = draft.action.trim();
    if (draft.object) next.object = draft.object;
    if (draft.recordId.trim()) next.recordId = draft.recordId.trim();
    if (draft.from) next.from = `${draft.from}T00:00:00Z`;
    // "To" includes the whole day.
    if (draft.to) next.to = new Date(Date.parse(`${draft.to}T00:00:00Z`) + 86_400_000).toISOString();
    onChange(next);
  };
  const clear = () => {
    setDraft({ actorUserId: '', action: '', object: '', recordId: '', from: '', to: '' });
    onChange({});
  };
  return (
    <form onSubmit={submit} aria-label="Search the audit log">
      <Group align="flex-end" gap="sm">
        <Select
          label="Who"
          data={(members.data ?? []).map((m) => ({ value: m.id, label: m.name || m.email }))}
          value={draft.actorUserId || null}
          onChange={set('actorUserId')}
          clearable
          searchable
          size="md"
          w={200}
        />
        <Autocomplete label="Action" data={ACTIONS} value={draft.action} onChange={set('action')} size="md" w={220} />
        <Select
          label="Object"
          data={(objects.data ?? []).map((o) => ({ value: o.name, label: o.labelPlural }))}
          value={draft.object || null}
          onChange={set('object')}
          clearable
          size="md"
          w={160}
        />
        <TextInput
          label="Record id"
          value={draft.recordId}
          onChange={(e) => set('recordId')(e.currentTarget.value)}
          size="md"
          w={200}
        />
        <TextInput
          label="From"
          type="date"
          value={draft.from}
          onChange={(e) => set('from')(e.currentTarget.value)}
          size="md"
          w={160}
        />
        <TextInput
          label="To"
          type="date"
          value={draft.to}
          onChange={(e) => set('to')(e.currentTarget.value)}
          size="md"
          w={160}
        />
        <Group gap="xs">
          <Button type="submit" h={42}>
            Search
          </Button>
          <Button variant="default" h={42} onClick={clear}>
            Clear
          </Button>
        </Group>
      </Group>
    </form>
  );
}
