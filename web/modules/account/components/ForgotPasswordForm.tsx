import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { requestPasswordReset } from '../api/account.api';

/** Asks for a reset link; says the same whether the address has an account or not. */
export function ForgotPasswordForm() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const errors = useFieldErrors();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await requestPasswordReset(email);
      setSent(true);
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  if (sent)
    return (
      <Alert color="green" role="status" title="Check your email">
        If {email} has a Rapport account, a link to choose a new password is on its way. It works for an hour.
      </Alert>
    );
  return (
    <form onSubmit={submit} noValidate aria-label="Reset your password">
      <Stack>
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        <Text size="sm">Enter your email address and we will send you a link to choose a new password.</Text>
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.fields.email}
        />
        <Button type="submit" loading={busy} fullWidth>
          Send the link
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
