import { AuthLayout } from '../modules/auth/components/AuthLayout';
import { SignUpForm } from '../modules/auth/components/SignUpForm';

export function SignUpPage() {
  return (
    <AuthLayout title="Create your workspace">
      <SignUpForm />
    </AuthLayout>
  );
}
