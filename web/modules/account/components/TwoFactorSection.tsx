import { Alert, Badge, Button, Group, Loader, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { type Me, meQuery } from '../../auth/api/auth.api';
import { disableTwoFactor, regenerateRecoveryCodes, twoFactorQuery } from '../api/two-factor.api';
import { RecoveryCodesList } from './RecoveryCodesList';
import { TwoFactorEnrolment } from './TwoFactorEnrolment';

/** /settings/security: two-factor sign-in on or off, recovery codes, and turning it off. */
export function TwoFactorSection() {
  const status = useQuery(twoFactorQuery);
  if (status.isPending) return <Loader size="sm" aria-label="Loading two-factor sign-in" />;
  if (status.isError)
    return (
      <Alert color="red" role="alert">
        {status.error.message}
      </Alert>
    );
  const s = status.data;
  if (!s.enabled) {
    return (
      <Stack>
        {s.required && (
          <Alert color="yellow" role="status">
            Your workspace requires two-factor sign-in.
          </Alert>
        )}
        <TwoFactorEnrolment onDone={() => status.refetch()} />
      </Stack>
    );
  }
  return (
    <Stack gap="lg">
      <Group gap="xs">
        <Badge color="green" variant="light">
          On
        </Badge>
        <Text size="sm">
          {s.recoveryCodesLeft} of 10 recovery codes left{s.required ? ' · required by your workspace' : ''}
        </Text>
      </Group>
      <NewRecoveryCodesForm />
      <TurnOffForm />
    </Stack>
  );
}

function NewRecoveryCodesForm() {
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors();
  const queryClient = useQueryClient();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      setCodes((await regenerateRecoveryCodes(code.trim())).recoveryCodes);
      setCode('');
      await queryClient.invalidateQueries({ queryKey: twoFactorQuery.queryKey });
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="New recovery codes">
      <Stack maw={420} gap="sm">
        <TextInput
          label="New recovery codes"
          description="Enter a code from your app; your old recovery codes stop working"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={errors.fields.code ?? errors.general}
        />
        <Button type="submit" variant="default" loading={busy} style={{ alignSelf: 'flex-start' }}>
          Make new recovery codes
        </Button>
        {codes && <RecoveryCodesList codes={codes} />}
      </Stack>
    </form>
  );
}

function TurnOffForm() {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors();
  const queryClient = useQueryClient();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await disableTwoFactor({ password });
      setPassword('');
      queryClient.setQueryData(meQuery.queryKey, (me: Me | undefined) =>
        me ? { ...me, twoFactor: { enabled: false, required: me.twoFactor?.required ?? false } } : me,
      );
      await queryClient.invalidateQueries({ queryKey: twoFactorQuery.queryKey });
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Turn off two-factor sign-in">
      <Stack maw={420} gap="sm">
        <PasswordInput
          label="Turn off two-factor sign-in"
          description="Enter your password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.fields.password ?? errors.general}
        />
        <Button type="submit" color="red" variant="light" loading={busy} style={{ alignSelf: 'flex-start' }}>
          Turn off
        </Button>
      </Stack>
    </form>
  );
}
