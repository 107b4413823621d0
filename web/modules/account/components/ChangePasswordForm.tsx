import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { checkPassword, prefetchPasswordCheck } from '../../../lib/password';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { changePassword, sessionsQuery } from '../api/account.api';

/** Current and new password; on success every other session of the user ends. */
export function ChangePasswordForm() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const errors = useFieldErrors();
  const queryClient = useQueryClient();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setDone(false);
    errors.clear();
    try {
      const weak = await checkPassword(newPassword);
      if (weak) {
        errors.setField('newPassword', weak);
        return;
      }
      await changePassword({ currentPassword, newPassword });
      setCurrent('');
      setNew('');
      setDone(true);
      await queryClient.invalidateQueries({ queryKey: sessionsQuery.queryKey });
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Change password">
      <Stack maw={420}>
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        {done && (
          <Alert color="green" role="status">
            Password changed. Your other sessions were signed out.
          </Alert>
        )}
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          error={errors.fields.currentPassword}
        />
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
        <Button type="submit" loading={busy} style={{ alignSelf: 'flex-start' }}>
          Change password
        </Button>
      </Stack>
    </form>
  );
}
