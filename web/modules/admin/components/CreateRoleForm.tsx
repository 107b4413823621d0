import { Alert, Button, Group, Select, TextInput } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { admin, type Role } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { roleKeyFrom } from '../utils/permissions';

/** Creates a custom role, empty or as a copy of another, then opens it for editing. */
export function CreateRoleForm({ roles }: { roles: Role[] }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [copyFrom, setCopyFrom] = useState<string | null>('sales_rep');
  const errors = useFieldErrors();
  const create = useAdminChange(admin.createRole);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    const source = roles.find((r) => r.key === copyFrom);
    create.mutate(
      {
        key: key || roleKeyFrom(name),
        name: name.trim(),
        permissions: source ? structuredClone(source.permissions) : { objects: {} },
      },
      {
        onSuccess: (r) => navigate({ to: '/admin/$', params: { _splat: `roles/${r.key}` } }),
        onError: (err) => errors.show(err),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="New custom role">
      <Group align="flex-start" gap="sm">
        <TextInput
          label="Name"
          required
          size="md"
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            if (!keyTouched) setKey(roleKeyFrom(e.currentTarget.value));
          }}
          error={errors.fields.name}
          style={{ flex: '1 1 200px' }}
        />
        <TextInput
          label="Key"
          description="Used by the API"
          size="md"
          value={key}
          onChange={(e) => {
            setKeyTouched(true);
            setKey(e.currentTarget.value);
          }}
          error={errors.fields.key}
          style={{ flex: '1 1 160px' }}
          ff="monospace"
        />
        <Select
          label="Start from"
          data={[{ value: '', label: 'Nothing allowed' }, ...roles.map((r) => ({ value: r.key, label: r.name }))]}
          value={copyFrom ?? ''}
          onChange={(v) => setCopyFrom(v || null)}
          allowDeselect={false}
          size="md"
          style={{ flex: '1 1 200px' }}
        />
      </Group>
      <Group mt="sm">
        <Button type="submit" loading={create.isPending} h={42}>
          Create role
        </Button>
      </Group>
      {errors.general && (
        <Alert color="red" role="alert" mt="sm">
          {errors.general}
        </Alert>
      )}
    </form>
  );
}
