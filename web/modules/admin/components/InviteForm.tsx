import { Alert, Button, Group, Select, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { admin } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { useRoleOptions } from '../hooks/useRoleOptions';

/** Invite by email with a role; the server emails the link (through the mail outbox). */
export function InviteForm() {
  const { options } = useRoleOptions();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string | null>('sales_rep');
  const [sent, setSent] = useState<string | null>(null);
  const errors = useFieldErrors();
  const invite = useAdminChange((v: { email: string; role: string }) => admin.invite(v.email, v.role));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setSent(null);
    if (!role) return errors.showLocal('Choose a role', { role: 'required' });
    invite.mutate(
      { email: email.trim(), role },
      {
        onSuccess: (inv) => {
          setSent(inv.email);
          setEmail('');
        },
        onError: (err) => errors.show(err),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Invite someone">
      <Group align="flex-start" gap="sm">
        <TextInput
          label="Email"
          type="email"
          required
          size="md"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.fields.email}
          style={{ flex: '1 1 240px' }}
        />
        <Select
          label="Role"
          data={options}
          value={role}
          onChange={setRole}
          allowDeselect={false}
          size="md"
          error={errors.fields.role}
          style={{ flex: '1 1 200px' }}
        />
        <Button type="submit" loading={invite.isPending} mt={{ base: 0, sm: 27 }} h={42}>
          Send invitation
        </Button>
      </Group>
      {errors.general && !Object.keys(errors.fields).length && (
        <Alert color="red" role="alert" mt="sm">
          {errors.general}
        </Alert>
      )}
      {sent && (
        <Alert color="green" mt="sm" role="status">
          Invitation sent to {sent}.
        </Alert>
      )}
    </form>
  );
}
