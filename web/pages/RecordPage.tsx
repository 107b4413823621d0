import { Alert, Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { PageLoader } from '../app/PageLoader';
import { ApiError } from '../lib/http';
import { can } from '../modules/objects/api/objects.api';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import { useObjects } from '../modules/objects/hooks/useObjects';
import { recordKeys } from '../modules/records/api/record-keys';
import { trashRecord } from '../modules/records/api/records.api';
import { RecordDetails } from '../modules/records/components/RecordDetails';
import { RelatedRecords } from '../modules/records/components/RelatedRecords';
import { useRecord } from '../modules/records/hooks/useRecord';
import { recordTitle, relatedLists } from '../modules/records/utils/fields';
import { TaskCompleteButton } from '../modules/tasks/components/TaskCompleteButton';
import { ContactGuardBanner } from '../modules/timeline/components/ContactGuardBanner';
import { RecordTimeline } from '../modules/timeline/components/RecordTimeline';
import { Icon } from '../ui/Icon';
import { AnchorLink, ButtonLink } from '../ui/links';
import { NotFoundPage } from './NotFoundPage';

const route = getRouteApi('/_app/$object/$id');

/** One record: every field, grouped, and the records related to it. */
export function RecordPage() {
  const { object, id } = route.useParams();
  const meta = useObjectMeta(object);
  const objects = useObjects();
  const record = useRecord(object, id, meta?.includes ?? []);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [trashError, setTrashError] = useState<string | null>(null);

  if (!meta) return <NotFoundPage />;
  if (record.isPending) return <PageLoader />;
  if (record.isError) {
    const gone = record.error instanceof ApiError && record.error.status === 404;
    return (
      <Alert
        color={gone ? 'gray' : 'red'}
        title={gone ? `This ${meta.singular} does not exist` : 'Could not load'}
        role="alert"
      >
        {gone ? 'It may have been deleted.' : record.error.message}
        <Group mt="sm">
          {!gone && (
            <Button variant="light" onClick={() => void record.refetch()}>
              Try again
            </Button>
          )}
          <AnchorLink to="/$object" params={{ object }}>
            Back to {meta.labelPlural.toLowerCase()}
          </AnchorLink>
        </Group>
      </Alert>
    );
  }

  const { data, etag } = record.data;
  const title = recordTitle(meta, data);
  const subtitle = meta.subtitleFields.map((f) => data[f]).find((v) => typeof v === 'string' && v);
  const trash = async () => {
    if (!window.confirm(`Move “${title}” to the trash?`)) return;
    try {
      await trashRecord(object, id, etag);
      await queryClient.invalidateQueries({ queryKey: recordKeys.all(object) });
      await navigate({ to: '/$object', params: { object } });
    } catch (err) {
      setTrashError(err instanceof ApiError ? err.message : 'Could not move it to the trash.');
    }
  };

  return (
    <Stack gap="md">
      <AnchorLink to="/$object" params={{ object }} size="sm">
        <Group gap={4} component="span">
          <Icon name="back" size={14} />
          {meta.labelPlural}
        </Group>
      </AnchorLink>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div style={{ minWidth: 0 }}>
          <Title order={1} fz="h2" style={{ overflowWrap: 'anywhere' }}>
            {title}
          </Title>
          {typeof subtitle === 'string' && <Text c="dimmed">{subtitle}</Text>}
        </div>
        <Group gap="xs">
          {can(meta, 'update') && <TaskCompleteButton object={object} record={data} etag={etag} />}
          {can(meta, 'update') && (
            <ButtonLink
              to="/$object/$id/edit"
              params={{ object, id }}
              leftSection={<Icon name="edit" size={16} />}
              h={40}
            >
              Edit
            </ButtonLink>
          )}
          {can(meta, 'delete') && (
            <Button variant="default" color="red" onClick={trash} leftSection={<Icon name="trash" size={16} />} h={40}>
              Delete
            </Button>
          )}
        </Group>
      </Group>
      {trashError && (
        <Alert color="red" role="alert">
          {trashError}
        </Alert>
      )}
      <ContactGuardBanner object={object} id={id} />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <RecordDetails meta={meta} record={data} />
          <RecordTimeline meta={meta} record={data} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            {relatedLists(meta, objects).map((list) => (
              <RelatedRecords key={list.include} meta={meta} record={data} list={list} />
            ))}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
