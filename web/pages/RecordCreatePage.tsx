import { Stack, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import { recordKeys } from '../modules/records/api/record-keys';
import { createRecord } from '../modules/records/api/records.api';
import { RecordForm } from '../modules/records/components/RecordForm';
import { DuplicateWarning } from '../modules/sales/components/DuplicateWarning';
import { useDuplicateGuard } from '../modules/sales/hooks/useDuplicateGuard';
import { BackLink } from '../ui/BackLink';
import { NotFoundPage } from './NotFoundPage';

const route = getRouteApi('/_app/$object/new');

export function RecordCreatePage() {
  const { object } = route.useParams();
  const { prefill } = route.useSearch();
  const meta = useObjectMeta(object);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const duplicates = useDuplicateGuard(object);
  if (!meta) return <NotFoundPage />;
  return (
    <Stack gap="md" maw={900}>
      <BackLink object={object}>{meta.labelPlural}</BackLink>
      <Title order={1} fz="h2">
        New {meta.singular}
      </Title>
      <DuplicateWarning duplicates={duplicates.duplicates} />
      <RecordForm
        meta={meta}
        preset={prefill}
        save={async (values) => {
          await duplicates.check(values);
          return createRecord(object, values);
        }}
        onSaved={async (saved) => {
          await queryClient.invalidateQueries({ queryKey: recordKeys.all(object) });
          for (const f of meta.fields) {
            const target = f.relation?.object;
            if (target && typeof saved.data[f.name] === 'string') {
              await queryClient.invalidateQueries({ queryKey: recordKeys.all(target) });
            }
          }
          await navigate({ to: '/$object/$id', params: { object, id: saved.data.id } });
        }}
        onCancel={() => navigate({ to: '/$object', params: { object } })}
      />
    </Stack>
  );
}
