import { Alert } from '@mantine/core';
import { getRouteApi } from '@tanstack/react-router';
import { AcceptInvitationForm } from '../modules/auth/components/AcceptInvitationForm';
import { AuthLayout } from '../modules/auth/components/AuthLayout';

const route = getRouteApi('/accept-invite');

/** Where the invitation email's link leads. */
export function AcceptInvitePage() {
  const { token } = route.useSearch();
  return (
    <AuthLayout title="Join a workspace">
      {token ? (
        <AcceptInvitationForm token={token} />
      ) : (
        <Alert color="red" role="alert">
          This link is incomplete: open the whole link from the invitation email.
        </Alert>
      )}
    </AuthLayout>
  );
}
