import { Alert, Loader, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { meQuery } from '../../auth/api/auth.api';
import { verifyEmail } from '../api/account.api';

/**
 * Confirms the address with the emailed token. The page POSTs (a GET link must not
 * change anything: mail scanners open links), once, when it opens. When another
 * account already holds the address (409: the link was for a second, pending account),
 * it says so and offers to sign in to that account or reset its password; nothing is merged.
 */
export function VerifyEmail({ token }: { token: string }) {
  const [state, setState] = useState<'busy' | 'done' | 'in_use' | 'failed'>('busy');
  const started = useRef(false);
  const queryClient = useQueryClient();
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    verifyEmail(token)
      .then(async () => {
        setState('done');
        await queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
      })
      .catch((err) => setState(err instanceof ApiError && err.status === 409 ? 'in_use' : 'failed'));
  }, [token, queryClient]);

  if (state === 'busy')
    return (
      <Stack align="center" role="status">
        <Loader aria-hidden="true" />
        Confirming your email address…
      </Stack>
    );
  return (
    <Stack>
      {state === 'done' ? (
        <Alert color="green" role="status" title="Email address confirmed">
          Thank you: your address is verified.
        </Alert>
      ) : state === 'in_use' ? (
        <>
          <Alert color="red" role="alert">
            This address is already used by another Rapport account, so it was not added to this one. If that account is
            yours, sign in to it, or reset its password by email.
          </Alert>
          <AnchorLink to="/sign-in" {...TAPPABLE}>
            Sign in to that account
          </AnchorLink>
          <AnchorLink to="/forgot-password" {...TAPPABLE}>
            Reset its password by email
          </AnchorLink>
        </>
      ) : (
        <Alert color="red" role="alert" title="This link does not work">
          It is invalid, used or expired. Sign in and ask for a new one under Account security.
        </Alert>
      )}
      <AnchorLink to="/" {...TAPPABLE}>
        Open Rapport
      </AnchorLink>
    </Stack>
  );
}
