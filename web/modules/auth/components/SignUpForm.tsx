import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { checkPassword, prefetchPasswordCheck } from '../../../lib/password';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { chooseWorkspace } from '../../../lib/workspace';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { meQuery, type SignUpInput, signUp } from '../api/auth.api';
import { openFirstList } from '../utils/start-page';

/** Creates a user and a workspace they administer, then opens the app signed in. */
export function SignUpForm() {
  const [values, setValues] = useState<SignUpInput>({ name: '', email: '', password: '', workspaceName: '' });
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const set = (k: keyof SignUpInput) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [k]: value }));
  };

  const passwordContext = () => ({ email: values.email, name: values.name });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      // The API's rule, checked here first: a weak password is explained without a round trip.
      const weak = await checkPassword(values.password, passwordContext());
      if (weak) {
        errors.setField('password', weak);
        return;
      }
      const me = await signUp(values);
      chooseWorkspace(null);
      queryClient.clear();
      queryClient.setQueryData(meQuery.queryKey, me);
      await openFirstList(queryClient, navigate);
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Create your workspace">
      <Stack>
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        <TextInput
          label="Your name"
          autoComplete="name"
          required
          value={values.name}
          onChange={set('name')}
          error={errors.fields.name}
        />
        <TextInput
          label="Work email"
          type="email"
          autoComplete="email"
          required
          value={values.email}
          onChange={set('email')}
          error={errors.fields.email}
        />
        <PasswordInput
          label="Password"
          description="At least 12 characters and hard to guess: a phrase of four or more unrelated words works well."
          autoComplete="new-password"
          required
          value={values.password}
          onChange={(e) => {
            set('password')(e);
            errors.setField('password', null); // typing clears it; leaving the field only adds one
          }}
          onFocus={prefetchPasswordCheck}
          onBlur={async () => {
            const weak = await checkPassword(values.password, passwordContext());
            if (weak) errors.setField('password', weak);
          }}
          error={errors.fields.password}
        />
        <TextInput
          label="Company (workspace name)"
          autoComplete="organization"
          required
          value={values.workspaceName}
          onChange={set('workspaceName')}
          error={errors.fields.workspaceName}
        />
        <Button type="submit" loading={busy} fullWidth>
          Create workspace
        </Button>
        <Text size="sm" ta="center">
          Already have an account?{' '}
          <AnchorLink to="/sign-in" {...TAPPABLE}>
            Sign in
          </AnchorLink>
        </Text>
      </Stack>
    </form>
  );
}
