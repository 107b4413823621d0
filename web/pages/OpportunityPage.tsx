import { Alert, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { PageLoader } from '../app/PageLoader';
import { ApiError } from '../lib/http';
import { can, type ObjectMeta } from '../modules/objects/api/objects.api';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import type { RecordData } from '../modules/records/api/records.api';
import { RecordDetails } from '../modules/records/components/RecordDetails';
import { useRecord } from '../modules/records/hooks/useRecord';
import { formatMoney, type Money } from '../modules/records/utils/format';
import type { Stage } from '../modules/sales/api/sales.api';
import { LostReasonModal } from '../modules/sales/components/LostReasonModal';
import { OpportunityContacts } from '../modules/sales/components/OpportunityContacts';
import { OpportunityQuotes } from '../modules/sales/components/OpportunityQuotes';
import { RecordLoadError } from '../modules/sales/components/RecordLoadError';
import { StageHistory } from '../modules/sales/components/StageHistory';
import { StagePath } from '../modules/sales/components/StagePath';
import { type Tone, ToneBadge } from '../modules/sales/components/ToneBadge';
import { useOpportunityStage } from '../modules/sales/hooks/useOpportunityStage';
import { usePipelines } from '../modules/sales/hooks/usePipelines';
import { Icon } from '../ui/Icon';
import { AnchorLink, ButtonLink } from '../ui/links';
import { NotFoundPage } from './NotFoundPage';

const STATUS_COLOR: Record<string, Tone> = { open: 'blue', won: 'green', lost: 'gray' };

/** An opportunity: its stage path (click to move), fields, stage history, contacts with roles and quotes. */
export function OpportunityPage({ id }: { id: string }) {
  const meta = useObjectMeta('opportunities');
  const quotesMeta = useObjectMeta('quotes');
  const record = useRecord('opportunities', id, meta?.includes ?? []);
  const pipelines = usePipelines();
  if (!meta) return <NotFoundPage />;
  if (record.isPending) return <PageLoader />;
  if (record.isError)
    return <RecordLoadError error={record.error} what="opportunity" onRetry={() => void record.refetch()} />;
  const pipeline = pipelines.data?.find((p) => p.id === record.data.data.pipelineId);
  return (
    <Loaded
      data={record.data.data}
      etag={record.data.etag}
      stages={pipeline?.stages ?? []}
      meta={meta}
      canQuote={!!quotesMeta && can(quotesMeta, 'create')}
    />
  );
}

function Loaded({
  data,
  etag,
  stages,
  meta,
  canQuote,
}: {
  data: RecordData;
  etag: string | null;
  stages: Stage[];
  meta: ObjectMeta;
  canQuote: boolean;
}) {
  const move = useOpportunityStage(data, etag);
  const [losing, setLosing] = useState<string | null>(null);
  const editable = can(meta, 'update');
  const account = data.account as { id?: string; name?: string } | null;
  const amount = data.amount as Money | null;
  const status = String(data.status ?? 'open');
  const requestMove = (stageId: string) => {
    const stage = stages.find((s) => s.id === stageId);
    if (stage?.kind === 'lost') setLosing(stageId);
    else move.mutate({ stageId });
  };
  const moveError =
    move.error instanceof ApiError
      ? move.error.status === 412
        ? 'Someone changed this opportunity meanwhile; the page now shows the latest version. Try again.'
        : [move.error.message, ...move.error.errors.map((e) => `${e.path}: ${e.message}`)].join(' — ')
      : move.error
        ? 'The stage could not be changed.'
        : null;

  return (
    <Stack gap="md">
      <AnchorLink to="/pipeline" search={{ pipeline: String(data.pipelineId ?? '') || undefined }} size="sm">
        <Group gap={4} component="span">
          <Icon name="back" size={14} />
          Pipeline
        </Group>
      </AnchorLink>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Title order={1} fz="h2" style={{ overflowWrap: 'anywhere' }}>
              {String(data.name ?? 'Untitled opportunity')}
            </Title>
            <ToneBadge tone={STATUS_COLOR[status] ?? 'gray'} data-testid="opportunity-status">
              {status}
            </ToneBadge>
          </Group>
          <Group gap="md" wrap="wrap">
            {account?.id && (
              <AnchorLink to="/$object/$id" params={{ object: 'accounts', id: account.id }}>
                {account.name ?? 'Account'}
              </AnchorLink>
            )}
            <Text fw={600} data-testid="opportunity-amount">
              {amount ? formatMoney(amount) : 'No amount'}
            </Text>
          </Group>
        </div>
        {editable && (
          <ButtonLink
            to="/$object/$id/edit"
            params={{ object: 'opportunities', id: data.id }}
            leftSection={<Icon name="edit" size={16} />}
            h={40}
          >
            Edit
          </ButtonLink>
        )}
      </Group>
      <StagePath
        stages={stages}
        current={(data.stageId as string) ?? null}
        onMove={editable ? requestMove : undefined}
        busy={move.isPending}
      />
      {moveError && (
        <Alert color="red" role="alert" withCloseButton onClose={() => move.reset()}>
          {moveError}
        </Alert>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            <StageHistory opportunityId={data.id} version={data.version} />
            <RecordDetails meta={meta} record={data} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <OpportunityQuotes opportunity={data} canCreate={canQuote} />
            <OpportunityContacts opportunityId={data.id} editable={editable} />
          </Stack>
        </Grid.Col>
      </Grid>
      <LostReasonModal
        opened={!!losing}
        name={String(data.name ?? '')}
        onCancel={() => setLosing(null)}
        onConfirm={(reason) => {
          if (losing) move.mutate({ stageId: losing, lostReason: reason });
          setLosing(null);
        }}
      />
    </Stack>
  );
}
