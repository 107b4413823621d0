import { Alert, Group, Stack, Title } from '@mantine/core';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { PageLoader } from '../app/PageLoader';
import { PipelineBoard } from '../modules/sales/components/PipelineBoard';
import { PipelinePicker } from '../modules/sales/components/PipelinePicker';
import { usePipelines } from '../modules/sales/hooks/usePipelines';
import { Icon } from '../ui/Icon';
import { ButtonLink } from '../ui/links';

const route = getRouteApi('/_app/pipeline');

/** The pipeline board: opportunities of the chosen pipeline by stage. */
export function PipelinePage() {
  const { pipeline: chosen } = route.useSearch();
  const navigate = useNavigate();
  const pipelines = usePipelines();
  if (pipelines.isPending) return <PageLoader />;
  if (pipelines.isError) {
    return (
      <Alert color="red" role="alert" title="Pipelines could not be loaded">
        {pipelines.error.message}
      </Alert>
    );
  }
  const pipeline = pipelines.data.find((p) => p.id === chosen) ?? pipelines.data[0];
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Title order={1} fz="h2">
          Pipeline
        </Title>
        <Group gap="sm" align="flex-end" wrap="wrap" style={{ flex: '1 1 auto', justifyContent: 'flex-end' }}>
          {pipelines.data.length > 1 && (
            <PipelinePicker
              pipelines={pipelines.data}
              value={pipeline?.id ?? null}
              onChange={(id) => void navigate({ to: '/pipeline', search: { pipeline: id ?? undefined } })}
            />
          )}
          <ButtonLink
            to="/$object/new"
            params={{ object: 'opportunities' }}
            search={{ prefill: pipeline ? { pipelineId: pipeline.id } : undefined }}
            leftSection={<Icon name="plus" size={16} />}
            h={40}
          >
            New opportunity
          </ButtonLink>
        </Group>
      </Group>
      {pipeline ? (
        <PipelineBoard key={pipeline.id} pipeline={pipeline} />
      ) : (
        <Alert color="gray">This workspace has no pipeline yet. An administrator can create one.</Alert>
      )}
    </Stack>
  );
}
