import { getRouteApi } from '@tanstack/react-router';
import { AuthLayout } from '../modules/auth/components/AuthLayout';
import { SignInForm } from '../modules/auth/components/SignInForm';

const route = getRouteApi('/sign-in');

export function SignInPage() {
  const { redirect } = route.useSearch();
  return (
    <AuthLayout title="Sign in to your workspace">
      <SignInForm redirect={redirect} />
    </AuthLayout>
  );
}
