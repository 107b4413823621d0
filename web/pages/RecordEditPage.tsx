import { Stack, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { PageError } from '../app/PageError';
import { PageLoader } from '../app/PageLoader';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import { recordKeys } from '../modules/records/api/record-keys';
import { updateRecord } from '../modules/records/api/records.api';
import { RecordForm } from '../modules/records/components/RecordForm';
import { useRecord } from '../modules/records/hooks/useRecord';
import { includesFor, recordTitle } from '../modules/records/utils/fields';
import { BackLink } from '../ui/BackLink';
import { NotFoundPage } from './NotFoundPage';

const route = getRouteApi('/_app/$object/$id/edit');

export function RecordEditPage() {
  const { object, id } = route.useParams();
  const meta = useObjectMeta(object);
  const record = useRecord(object, id, meta ? includesFor(meta, meta.fields) : []);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [generation, setGeneration] = useState(0);
  if (!meta) return <NotFoundPage />;
  if (record.isPending) return <PageLoader />;
  if (record.isError) return <PageError error={record.error} reset={() => void record.refetch()} />;
  const open = () => navigate({ to: '/$object/$id', params: { object, id } });
  return (
    <Stack gap="md" maw={900}>
      <BackLink object={object} id={id}>
        {recordTitle(meta, record.data.data)}
      </BackLink>
      <Title order={1} fz="h2">
        Edit {meta.singular}
      </Title>
      <RecordForm
        key={generation}
        meta={meta}
        record={record.data}
        save={(values, etag) => updateRecord(object, id, values, etag)}
        onSaved={async () => {
          await queryClient.invalidateQueries({ queryKey: recordKeys.all(object) });
          await open();
        }}
        onCancel={open}
        onReload={async () => {
          await record.refetch();
          setGeneration((g) => g + 1);
        }}
      />
    </Stack>
  );
}
