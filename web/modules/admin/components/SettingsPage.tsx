import { Alert, Button, Group, NumberInput, Select, Stack, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import type { TTwoFactorPolicy } from '../../../../common/contracts/access';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { admin, settingsQuery } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { AdminLoadError, AdminLoading } from './AdminState';

const TWO_FACTOR_POLICIES: { value: TTwoFactorPolicy; label: string }[] = [
  { value: 'off', label: 'Optional for everyone' },
  { value: 'admins', label: 'Required for administrators' },
  { value: 'everyone', label: 'Required for everyone' },
];

/** /admin/settings: the workspace's name, how long the audit log is kept, who must use two-factor sign-in. */
export function SettingsPage() {
  const settings = useQuery(settingsQuery);
  const [name, setName] = useState('');
  const [days, setDays] = useState<string | number>('');
  const [twoFactorPolicy, setTwoFactorPolicy] = useState<TTwoFactorPolicy>('off');
  const [saved, setSaved] = useState(false);
  const errors = useFieldErrors();
  const save = useAdminChange(admin.updateSettings);
  useEffect(() => {
    if (settings.data) {
      setName(settings.data.name);
      setDays(settings.data.auditRetentionDays);
      setTwoFactorPolicy(settings.data.twoFactorPolicy);
    }
  }, [settings.data]);

  if (settings.isPending) return <AdminLoading label="Loading settings" />;
  if (settings.isError)
    return <AdminLoadError error={settings.error} onRetry={() => settings.refetch()} what="settings" />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setSaved(false);
    save.mutate(
      { name: name.trim(), auditRetentionDays: days === '' ? Number.NaN : Number(days), twoFactorPolicy },
      { onSuccess: () => setSaved(true), onError: (err) => errors.show(err) },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Workspace settings">
      <Stack gap="md" maw={480}>
        <Title order={2} fz="h3">
          Workspace settings
        </Title>
        <TextInput
          label="Workspace name"
          required
          size="md"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.fields.name}
        />
        <NumberInput
          label="Keep the audit log for (days)"
          description="Between 30 and 3650 days; older entries are deleted every hour"
          size="md"
          min={30}
          max={3650}
          allowDecimal={false}
          clampBehavior="none"
          value={days}
          onChange={setDays}
          error={errors.fields.auditRetentionDays}
        />
        <Select
          label="Two-factor sign-in"
          description="Members who must use it and have not set it up are sent to set it up when they sign in"
          size="md"
          data={TWO_FACTOR_POLICIES}
          allowDeselect={false}
          value={twoFactorPolicy}
          onChange={(v) => v && setTwoFactorPolicy(v as TTwoFactorPolicy)}
          error={errors.fields.twoFactorPolicy}
        />
        {errors.general && !Object.keys(errors.fields).length && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        {saved && (
          <Alert color="green" role="status">
            Settings saved.
          </Alert>
        )}
        <Group>
          <Button type="submit" h={42} loading={save.isPending}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
