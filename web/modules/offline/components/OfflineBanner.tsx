import { Alert } from '@mantine/core';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Says that what is shown is the copy saved in this browser, read-only until the network is back. */
export function OfflineBanner({ savedAt }: { savedAt: string | null }) {
  const date = savedAt ? new Date(savedAt) : null;
  return (
    <Alert color="orange" variant="light" title="Offline" data-testid="offline-banner">
      You are offline. This is the copy saved in this browser
      {date && !Number.isNaN(date.getTime()) ? ` on ${when.format(date)}` : ''}; it is read-only until you are back
      online.
    </Alert>
  );
}
