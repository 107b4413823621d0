import { Alert, Button, Checkbox, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import { objectsQuery } from '../../objects/api/objects.api';
import { admin, type RolePermissions, rolesQuery } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { AdminLoadError, AdminLoading, MutationError } from './AdminState';
import { ConfirmButton } from './ConfirmButton';
import { FieldRules } from './FieldRules';
import { ObjectAccessTable } from './ObjectAccessTable';

/** One role: name, administration, per-object access and scope, per-field rules. */
export function RoleEditor({ roleKey }: { roleKey: string }) {
  const roles = useQuery(rolesQuery);
  const objects = useQuery(objectsQuery);
  const navigate = useNavigate();
  const role = roles.data?.find((r) => r.key === roleKey);
  const [name, setName] = useState('');
  const [draft, setDraft] = useState<RolePermissions | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useAdminChange(() => admin.updateRole(roleKey, { name: name.trim(), permissions: draft ?? undefined }));
  const reset = useAdminChange(() => admin.updateRole(roleKey, { permissions: null }));
  const remove = useAdminChange(() => admin.deleteRole(roleKey));

  // Start (and restart after a reset) from the server's version.
  useEffect(() => {
    if (role) {
      setName(role.name);
      setDraft(structuredClone(role.permissions));
    }
  }, [role]);

  if (roles.isPending || objects.isPending) return <AdminLoading label="Loading the role" />;
  if (roles.isError) return <AdminLoadError error={roles.error} onRetry={() => roles.refetch()} what="role" />;
  if (!role) return <Alert color="orange">There is no role “{roleKey}”.</Alert>;
  if (!draft || !objects.data) return null;
  const change = (next: RolePermissions) => {
    setSaved(false);
    setDraft(next);
  };

  return (
    <Stack gap="lg" data-testid="role-editor">
      <AnchorLink to="/admin/$" params={{ _splat: 'roles' }} size="sm">
        ← All roles
      </AnchorLink>
      <Group justify="space-between" align="flex-end">
        <Title order={2} fz="h3">
          {role.name}{' '}
          <Text span c="dimmed" ff="monospace" size="sm">
            {role.key}
          </Text>
        </Title>
      </Group>
      <TextInput
        label="Name"
        size="md"
        value={name}
        onChange={(e) => {
          setSaved(false);
          setName(e.currentTarget.value);
        }}
        maw={420}
      />
      <Checkbox
        label="Administers the workspace (users, roles, teams, fields, API keys, audit log, settings)"
        checked={!!draft.admin}
        onChange={(e) => change({ ...draft, admin: e.currentTarget.checked })}
      />
      <Stack gap="xs">
        <Title order={3} fz="h4">
          Access per object
        </Title>
        <Text size="sm" c="dimmed">
          “Every object” applies to objects without their own settings, including objects added later. Scope: own
          records, the team’s, or all.
        </Text>
        <ObjectAccessTable objects={objects.data} value={draft} onChange={change} />
      </Stack>
      <Stack gap="xs">
        <Title order={3} fz="h4">
          Fields
        </Title>
        <Text size="sm" c="dimmed">
          Hidden fields never leave the server for this role: not in lists, record pages, search, filters or exports.
        </Text>
        <FieldRules objects={objects.data} value={draft} onChange={change} />
      </Stack>
      <MutationError error={save.error ?? reset.error} />
      {saved && (
        <Alert color="green" role="status">
          Saved. Members with this role have the new permissions now.
        </Alert>
      )}
      <Group justify="space-between">
        <Group>
          <Button
            h={42}
            loading={save.isPending}
            onClick={() => save.mutate(undefined, { onSuccess: () => setSaved(true) })}
          >
            Save role
          </Button>
          {role.standard && (
            <Button
              variant="default"
              h={42}
              loading={reset.isPending}
              disabled={!role.customised}
              onClick={() => reset.mutate(undefined, { onSuccess: () => setSaved(true) })}
            >
              Reset to defaults
            </Button>
          )}
        </Group>
        {!role.standard && (
          <ConfirmButton
            label="Delete role"
            title={`Delete ${role.name}?`}
            message="Only a role that no member and no API key holds can be deleted."
            confirmLabel="Delete role"
            onConfirm={async () => {
              await remove.mutateAsync(undefined);
              await navigate({ to: '/admin/$', params: { _splat: 'roles' } });
            }}
          />
        )}
      </Group>
    </Stack>
  );
}
