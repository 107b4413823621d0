import { Alert, Loader, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { meQuery } from '../../auth/api/auth.api';
import { verifyEmail } from '../api/account.api';

/**
 * Confirms the address with the emailed token. The page POSTs (a GET link must not
 * change anything: mail scanners open links), once, when it opens.
 */
export function VerifyEmail({ token }: { token: string }) {
  const [state, setState] = useState<'busy' | 'done' | 'failed'>('busy');
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
      .catch(() => setState('failed'));
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
