import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useRouter } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { chooseWorkspace } from '../../../lib/workspace';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { meQuery, signIn } from '../api/auth.api';

/**
 * Email and password, then (when the account has two-factor sign-in on) the code from the
 * authenticator app or a recovery code; on success the session cookie is set and the app
 * opens where the user was going.
 */
export function SignInForm({ redirect }: { redirect?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  /** Set once the server asked for a second factor: the code step is shown. */
  const [needsCode, setNeedsCode] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const router = useRouter();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const me = await signIn({ email, password, ...(needsCode ? { code: code.trim() } : {}) });
      // The answer is about the default workspace: start there, not in a previous choice.
      chooseWorkspace(null);
      queryClient.clear();
      queryClient.setQueryData(meQuery.queryKey, me);
      // The redirect is a whole href (path and search) captured by the session guard.
      if (redirect) router.history.push(redirect);
      else await navigate({ to: '/' });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'two_factor_required') {
        setNeedsCode(true);
        return;
      }
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Sign in">
      <Stack>
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.fields.email}
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.fields.password}
        />
        {needsCode && (
          <TextInput
            label="Authentication code"
            description="The 6-digit code from your authenticator app, or one of your recovery codes"
            autoComplete="one-time-code"
            required
            autoFocus
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={errors.fields.code}
          />
        )}
        <Text size="sm" ta="right" mt={-8}>
          <AnchorLink to="/forgot-password" {...TAPPABLE}>
            Forgot password?
          </AnchorLink>
        </Text>
        <Button type="submit" loading={busy} fullWidth>
          Sign in
        </Button>
        <Text size="sm" ta="center">
          New to Rapport?{' '}
          <AnchorLink to="/sign-up" {...TAPPABLE}>
            Create a workspace
          </AnchorLink>
        </Text>
      </Stack>
    </form>
  );
}
