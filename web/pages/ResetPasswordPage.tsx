import { Alert } from '@mantine/core';
import { getRouteApi } from '@tanstack/react-router';
import { ResetPasswordForm } from '../modules/account/components/ResetPasswordForm';
import { AuthLayout } from '../modules/auth/components/AuthLayout';

const route = getRouteApi('/reset-password');

/** Where the reset email's link leads. */
export function ResetPasswordPage() {
  const { token } = route.useSearch();
  return (
    <AuthLayout title="Choose a new password">
      {token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <Alert color="red" role="alert">
          This link is incomplete: open the whole link from the email.
        </Alert>
      )}
    </AuthLayout>
  );
}
