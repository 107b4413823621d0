import { Alert, Button, Image, Loader, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { TTwoFactorSetup } from '../../../../common/contracts/auth';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { type Me, meQuery } from '../../auth/api/auth.api';
import { confirmTwoFactor, startTwoFactor, twoFactorQuery } from '../api/two-factor.api';
import { useQrCode } from '../hooks/useQrCode';
import { RecoveryCodesList } from './RecoveryCodesList';

/**
 * Setting up two-factor sign-in: a new secret as a QR code (and as text, to type in),
 * the first code to prove the app has it, then the recovery codes, once.
 */
export function TwoFactorEnrolment({ onDone, doneLabel = 'Done' }: { onDone: () => void; doneLabel?: string }) {
  const [setup, setSetup] = useState<TTwoFactorSetup | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors();
  const queryClient = useQueryClient();
  const qr = useQrCode(setup?.otpauthUrl ?? null);

  const start = async () => {
    setBusy(true);
    errors.clear();
    try {
      setSetup(await startTwoFactor());
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const result = await confirmTwoFactor(code.trim());
      setRecoveryCodes(result.recoveryCodes);
      queryClient.setQueryData(meQuery.queryKey, (me: Me | undefined) =>
        me ? { ...me, twoFactor: { enabled: true, required: me.twoFactor?.required ?? false } } : me,
      );
      await queryClient.invalidateQueries({ queryKey: twoFactorQuery.queryKey });
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  const alert = errors.general && (
    <Alert color="red" role="alert">
      {errors.general}
    </Alert>
  );

  if (recoveryCodes) {
    return (
      <Stack>
        <Alert color="green" role="status">
          Two-factor sign-in is on. From now on you sign in with your password and a code from your app.
        </Alert>
        <RecoveryCodesList codes={recoveryCodes} />
        <Button onClick={onDone} style={{ alignSelf: 'flex-start' }}>
          {doneLabel}
        </Button>
      </Stack>
    );
  }

  if (!setup) {
    return (
      <Stack>
        {alert}
        <Text size="sm">
          Sign in with your password and a 6-digit code from an authenticator app on your phone (Google Authenticator,
          1Password, Authy, Microsoft Authenticator…).
        </Text>
        <Button onClick={start} loading={busy} style={{ alignSelf: 'flex-start' }}>
          Set up two-factor sign-in
        </Button>
      </Stack>
    );
  }

  return (
    <form onSubmit={confirm} noValidate aria-label="Confirm two-factor sign-in">
      <Stack maw={420}>
        {alert}
        <Text size="sm">1. Scan this QR code with your authenticator app.</Text>
        {qr ? (
          <Image src={qr} alt="QR code to scan with your authenticator app" w={200} h={200} radius="sm" />
        ) : (
          <Loader size="sm" aria-label="Drawing the QR code" />
        )}
        <TextInput
          label="Secret key"
          description="Or type this key into the app"
          readOnly
          value={setup.secret}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          onFocus={(e) => e.currentTarget.select()}
        />
        <TextInput
          label="2. Enter the 6-digit code the app shows"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={errors.fields.code}
        />
        <Button type="submit" loading={busy} style={{ alignSelf: 'flex-start' }}>
          Turn on two-factor sign-in
        </Button>
      </Stack>
    </form>
  );
}
