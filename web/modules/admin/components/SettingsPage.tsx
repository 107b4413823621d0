import { Alert, Button, Group, NumberInput, Stack, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { admin, settingsQuery } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { AdminLoadError, AdminLoading } from './AdminState';

/** /admin/settings: the workspace's name and how long the audit log is kept. */
export function SettingsPage() {
  const settings = useQuery(settingsQuery);
  const [name, setName] = useState('');
  const [days, setDays] = useState<string | number>('');
  const [saved, setSaved] = useState(false);
  const errors = useFieldErrors();
  const save = useAdminChange(admin.updateSettings);
  useEffect(() => {
    if (settings.data) {
      setName(settings.data.name);
      setDays(settings.data.auditRetentionDays);
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
      { name: name.trim(), auditRetentionDays: days === '' ? Number.NaN : Number(days) },
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
