import { Stack, Title } from '@mantine/core';
import { ChangePasswordForm } from '../modules/account/components/ChangePasswordForm';
import { EmailVerificationNotice } from '../modules/account/components/EmailVerificationNotice';
import { SessionList } from '../modules/account/components/SessionList';
import { TwoFactorSection } from '../modules/account/components/TwoFactorSection';

/** /settings/security: email verification, password change, two-factor sign-in and the user's sessions. */
export function AccountSecurityPage() {
  return (
    <Stack gap="xl">
      <Title order={1} fz={{ base: 'h3', xs: 'h2' }}>
        Account security
      </Title>
      <EmailVerificationNotice />
      <section aria-labelledby="password-heading">
        <Title order={2} size="h4" id="password-heading" mb="sm">
          Password
        </Title>
        <ChangePasswordForm />
      </section>
      <section aria-labelledby="two-factor-heading">
        <Title order={2} size="h4" id="two-factor-heading" mb="sm">
          Two-factor sign-in
        </Title>
        <TwoFactorSection />
      </section>
      <section aria-labelledby="sessions-heading">
        <Title order={2} size="h4" id="sessions-heading" mb="sm">
          Where you are signed in
        </Title>
        <SessionList />
      </section>
    </Stack>
  );
}
