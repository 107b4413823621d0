import { Alert } from '@mantine/core';
import { getRouteApi } from '@tanstack/react-router';
import { VerifyEmail } from '../modules/account/components/VerifyEmail';
import { AuthLayout } from '../modules/auth/components/AuthLayout';

const route = getRouteApi('/verify-email');

/** Where the verification email's link leads. */
export function VerifyEmailPage() {
  const { token } = route.useSearch();
  return (
    <AuthLayout title="Confirm your email address">
      {token ? (
        <VerifyEmail token={token} />
      ) : (
        <Alert color="red" role="alert">
          This link is incomplete: open the whole link from the email.
        </Alert>
      )}
    </AuthLayout>
  );
}
