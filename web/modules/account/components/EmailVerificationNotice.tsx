import { Alert, Button } from '@mantine/core';
import { useSuspenseQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { meQuery } from '../../auth/api/auth.api';
import { resendVerification } from '../api/account.api';

/** Whether the user's address is verified, with "send the link again" while it is not. */
export function EmailVerificationNotice() {
  const user = useSuspenseQuery(meQuery).data.user;
  const [state, setState] = useState<'idle' | 'busy' | 'sent' | string>('idle');
  if (!user) return null;
  if (user.emailVerified)
    return (
      <Alert color="green" role="status">
        {user.email} is verified.
      </Alert>
    );
  const resend = async () => {
    setState('busy');
    try {
      await resendVerification();
      setState('sent');
    } catch (err) {
      setState(err instanceof ApiError ? err.message : 'The link could not be sent; try again later.');
    }
  };
  return (
    <Alert color="yellow" role="status" title="Your email address is not verified yet">
      Open the link we sent to {user.email} to confirm it is yours.{' '}
      {state === 'sent' ? (
        'A new link is on its way.'
      ) : (
        <Button size="compact-sm" variant="light" loading={state === 'busy'} onClick={resend}>
          Send the link again
        </Button>
      )}
      {state !== 'idle' && state !== 'busy' && state !== 'sent' && <div role="alert">{state}</div>}
    </Alert>
  );
}
