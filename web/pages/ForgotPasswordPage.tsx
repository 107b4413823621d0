import { ForgotPasswordForm } from '../modules/account/components/ForgotPasswordForm';
import { AuthLayout } from '../modules/auth/components/AuthLayout';

/** /forgot-password: ask for a reset link by email. */
export function ForgotPasswordPage() {
  return (
    <AuthLayout title="Forgot your password?">
      <ForgotPasswordForm />
    </AuthLayout>
  );
}
