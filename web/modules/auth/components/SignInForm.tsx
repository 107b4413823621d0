import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useRouter } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { chooseWorkspace } from '../../../lib/workspace';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { meQuery, signIn } from '../api/auth.api';

/** Email and password; on success the session cookie is set and the app opens where the user was going. */
export function SignInForm({ redirect }: { redirect?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
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
      const me = await signIn({ email, password });
      // The answer is about the default workspace: start there, not in a previous choice.
      chooseWorkspace(null);
      queryClient.clear();
      queryClient.setQueryData(meQuery.queryKey, me);
      // The redirect is a whole href (path and search) captured by the session guard.
      if (redirect) router.history.push(redirect);
      else await navigate({ to: '/' });
    } catch (err) {
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
