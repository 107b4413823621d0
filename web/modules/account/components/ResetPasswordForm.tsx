import { Alert, Button, PasswordInput, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { checkPassword, prefetchPasswordCheck } from '../../../lib/password';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { confirmPasswordReset } from '../api/account.api';

/** Sets a new password with the emailed token; every session of the account ends. */
export function ResetPasswordForm({ token }: { token: string }) {
  const [newPassword, setNew] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const errors = useFieldErrors();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const weak = await checkPassword(newPassword);
      if (weak) {
        errors.setField('newPassword', weak);
        return;
      }
      await confirmPasswordReset({ token, newPassword });
      setDone(true);
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  if (done)
    return (
      <Stack>
        <Alert color="green" role="status" title="Password changed">
          Your new password is set and every session of your account was signed out.
        </Alert>
        <AnchorLink to="/sign-in" {...TAPPABLE}>
          Sign in with your new password
        </AnchorLink>
      </Stack>
    );
  return (
    <form onSubmit={submit} noValidate aria-label="Choose a new password">
      <Stack>
        {(errors.general || errors.fields.token) && (
          <Alert color="red" role="alert">
            {errors.fields.token ? (
              <>
                This link is invalid, used or expired. <AnchorLink to="/forgot-password">Ask for a new one</AnchorLink>.
              </>
            ) : (
              errors.general
            )}
          </Alert>
        )}
        <PasswordInput
          label="New password"
          description="At least 12 characters and hard to guess; a passphrase is best."
          autoComplete="new-password"
          required
          value={newPassword}
          onChange={(e) => {
            setNew(e.currentTarget.value);
            errors.setField('newPassword', null);
          }}
          onFocus={prefetchPasswordCheck}
          onBlur={async () => {
            const weak = await checkPassword(newPassword);
            if (weak) errors.setField('newPassword', weak);
          }}
          error={errors.fields.newPassword}
        />
        <Button type="submit" loading={busy} fullWidth>
          Set the new password
        </Button>
        <Text size="sm" ta="center">
          <AnchorLink to="/sign-in" {...TAPPABLE}>
            Back to sign-in
          </AnchorLink>
        </Text>
      </Stack>
    </form>
  );
}
