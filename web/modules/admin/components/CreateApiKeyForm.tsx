import { Alert, Button, Checkbox, Code, CopyButton, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { type ApiKeyScope, admin } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { useRoleOptions } from '../hooks/useRoleOptions';

/** Creates a key; its secret is shown once (only a hash is stored) with a copy button. */
export function CreateApiKeyForm() {
  const { options } = useRoleOptions();
  const [name, setName] = useState('');
  const [role, setRole] = useState<string | null>('administrator');
  const [scopes, setScopes] = useState<ApiKeyScope[]>([]);
  const [expires, setExpires] = useState('');
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const errors = useFieldErrors();
  const create = useAdminChange(admin.createApiKey);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setSecret(null);
    create.mutate(
      {
        name: name.trim(),
        role: role ?? undefined,
        scopes,
        // The key stops working at the end of the chosen day (UTC).
        expiresAt: expires ? `${expires}T23:59:59Z` : undefined,
      },
      {
        onSuccess: (k) => {
          setSecret({ name: k.name, key: k.key });
          setName('');
          setScopes([]);
          setExpires('');
        },
        onError: (err) => errors.show(err),
      },
    );
  };

  return (
    <Stack gap="sm">
      <form onSubmit={submit} noValidate aria-label="New API key">
        <Stack gap="sm">
          <Group align="flex-start" gap="sm">
            <TextInput
              label="Name"
              description="What uses it, e.g. “Website form”"
              required
              size="md"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.fields.name}
              style={{ flex: '1 1 220px' }}
            />
            <Select
              label="Role"
              description="The key can do what this role can"
              data={options}
              value={role}
              onChange={setRole}
              allowDeselect={false}
              size="md"
              error={errors.fields.role}
              style={{ flex: '1 1 200px' }}
            />
            <TextInput
              label="Expires"
              description="Optional"
              type="date"
              size="md"
              value={expires}
              onChange={(e) => setExpires(e.currentTarget.value)}
              error={errors.fields.expiresAt}
              style={{ flex: '1 1 160px' }}
            />
          </Group>
          <Checkbox.Group
            label="Scopes"
            description="Narrow the key further; none = everything the role allows"
            value={scopes}
            onChange={(v) => setScopes(v as ApiKeyScope[])}
          >
            <Group mt={6}>
              <Checkbox value="read" label="Read" />
              <Checkbox value="write" label="Write" />
              <Checkbox value="admin" label="Administration" />
            </Group>
          </Checkbox.Group>
          <Group>
            <Button type="submit" h={42} loading={create.isPending}>
              Create API key
            </Button>
          </Group>
          {errors.general && !Object.keys(errors.fields).length && (
            <Alert color="red" role="alert">
              {errors.general}
            </Alert>
          )}
        </Stack>
      </form>
      {secret && (
        <Alert color="green" role="status" data-testid="api-key-secret">
          <Text size="sm" fw={600}>
            Key “{secret.name}” created
          </Text>
          <Text size="sm" mb={6}>
            Copy it now: it is shown only this once.
          </Text>
          <Group gap="sm" wrap="nowrap" align="center">
            <Code style={{ overflowWrap: 'anywhere', flex: 1 }} data-testid="api-key-value">
              {secret.key}
            </Code>
            <CopyButton value={secret.key}>
              {({ copied, copy }) => (
                <Button variant="light" h={40} onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
    </Stack>
  );
}
