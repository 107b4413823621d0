import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { checkPassword, prefetchPasswordCheck } from '../../../lib/password';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { chooseWorkspace } from '../../../lib/workspace';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { meQuery } from '../api/auth.api';
import { acceptInvitation, type InvitationInfo, lookupInvitation } from '../api/invitations.api';
import { openFirstList } from '../utils/start-page';

/**
 * Joins the workspace an invitation is for: a new person chooses a name and password;
 * someone already signed in with the invited email joins with one click.
 */
export function AcceptInvitationForm({ token }: { token: string }) {
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: ({ signal }) => lookupInvitation(token, signal),
    retry: false,
  });
  const me = useQuery({ ...meQuery, retry: false });

  if (invitation.isPending || me.isPending) return <Text c="dimmed">Checking the invitation…</Text>;
  if (invitation.isError) {
    return (
      <Alert color="red" role="alert" title="This invitation cannot be used">
        {invitation.error instanceof ApiError ? invitation.error.message : 'It may have expired or been revoked.'} Ask
        the person who invited you for a new one.
      </Alert>
    );
  }
  return <AcceptForm token={token} info={invitation.data} signedInAs={me.data?.user?.email ?? null} />;
}

function AcceptForm({ token, info, signedInAs }: { token: string; info: InvitationInfo; signedInAs: string | null }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const errors = useFieldErrors();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sameUser = signedInAs?.toLowerCase() === info.email.toLowerCase();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const weak = sameUser ? null : await checkPassword(password, { email: info.email, name });
      if (weak) {
        errors.setField('password', weak);
        return;
      }
      const joined = await acceptInvitation(sameUser ? { token } : { token, name, password });
      // Someone already in other workspaces lands in the one they just joined.
      chooseWorkspace(joined.workspaceId);
      queryClient.clear();
      await openFirstList(queryClient, navigate);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && !sameUser) setNeedsSignIn(true);
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  const back = `/accept-invite?token=${encodeURIComponent(token)}`;
  return (
    <form onSubmit={submit} noValidate aria-label="Accept the invitation">
      <Stack>
        <Text>
          You are invited to join <b>{info.workspace.name}</b> as {info.role.replace(/_/g, ' ')}.
        </Text>
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
            {needsSignIn && (
              <Text size="sm" mt="xs">
                <AnchorLink to="/sign-in" search={{ redirect: back }} {...TAPPABLE}>
                  Sign in as {info.email}
                </AnchorLink>{' '}
                and come back to this link.
              </Text>
            )}
          </Alert>
        )}
        {signedInAs && !sameUser && (
          <Alert color="yellow" role="status">
            You are signed in as {signedInAs}, but this invitation is for {info.email}. Sign out first to accept it.
          </Alert>
        )}
        {!signedInAs && (
          <>
            <TextInput label="Email" value={info.email} readOnly />
            <TextInput
              label="Your name"
              autoComplete="name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.fields.name}
            />
            <PasswordInput
              label="Choose a password"
              description="At least 12 characters and hard to guess: a phrase of four or more unrelated words works well."
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => {
                setPassword(e.currentTarget.value);
                errors.setField('password', null);
              }}
              onFocus={prefetchPasswordCheck}
              onBlur={async () => {
                const weak = await checkPassword(password, { email: info.email, name });
                if (weak) errors.setField('password', weak);
              }}
              error={errors.fields.password}
            />
          </>
        )}
        <Button type="submit" loading={busy} fullWidth disabled={!!signedInAs && !sameUser}>
          Join {info.workspace.name}
        </Button>
      </Stack>
    </form>
  );
}
