import { Alert, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { PageLoader } from '../app/PageLoader';
import { ApiError } from '../lib/http';
import { myStaffEntryQuery } from '../modules/staff/api/staff.api';
import { MyStaffEntryForm } from '../modules/staff/components/MyStaffEntryForm';

/** /me: your own entry in the staff directory, private fields included. */
export function MyStaffEntryPage() {
  const q = useQuery(myStaffEntryQuery);
  if (q.isPending) return <PageLoader />;
  if (q.isError)
    return (
      <Alert color="red" role="alert" title="Your directory entry could not be loaded">
        {q.error instanceof ApiError ? q.error.message : 'Something went wrong.'}
      </Alert>
    );
  const { entry, etag } = q.data;
  const line = [entry.title, entry.department].filter(Boolean).join(' · ');
  return (
    <Stack gap="md">
      <div>
        <Title order={1} fz={{ base: 'h3', xs: 'h2' }}>
          {entry.displayName}
        </Title>
        <Text c="dimmed" size="sm">
          {line || 'Your job title and department are set by an administrator.'}
        </Text>
      </div>
      <MyStaffEntryForm key={entry.id} entry={entry} etag={etag} />
    </Stack>
  );
}
