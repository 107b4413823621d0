import { Button, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { TwoFactorEnrolment } from '../modules/account/components/TwoFactorEnrolment';
import { signOut } from '../modules/auth/api/auth.api';
import { AuthLayout } from '../modules/auth/components/AuthLayout';
import { clearOfflineData } from '../modules/offline/clear-offline-data';

/**
 * /two-factor-setup: where a member whose workspace requires two-factor sign-in lands
 * after signing in, until they have set it up (the server refuses everything else).
 */
export function TwoFactorSetupPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const out = async () => {
    await signOut().catch(() => undefined);
    await clearOfflineData();
    queryClient.clear();
    await navigate({ to: '/sign-in' });
  };
  return (
    <AuthLayout title="Set up two-factor sign-in">
      <Stack>
        <Text size="sm" c="dimmed">
          Your workspace requires a second step at sign-in. It takes a minute.
        </Text>
        <TwoFactorEnrolment doneLabel="Continue to Rapport" onDone={() => navigate({ to: '/' })} />
        <Button variant="subtle" size="compact-sm" onClick={out} style={{ alignSelf: 'flex-start' }}>
          Sign out
        </Button>
      </Stack>
    </AuthLayout>
  );
}
