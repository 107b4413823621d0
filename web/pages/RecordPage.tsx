import { Alert, Badge, Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { lazy, Suspense, useEffect, useState } from 'react';
import { PageLoader } from '../app/PageLoader';
import { ApiError } from '../lib/http';
import { meQuery } from '../modules/auth/api/auth.api';
import { ConsentPanel } from '../modules/consents/components/ConsentPanel';
import { can } from '../modules/objects/api/objects.api';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import { useObjects } from '../modules/objects/hooks/useObjects';
import { OfflineBanner } from '../modules/offline/components/OfflineBanner';
import { useOnline } from '../modules/offline/hooks/useOnline';
import { forgetViewed, rememberViewed } from '../modules/offline/recent';
import { recordKeys } from '../modules/records/api/record-keys';
import type { RecordData } from '../modules/records/api/records.api';
import { trashRecord } from '../modules/records/api/records.api';
import { RecordDetails } from '../modules/records/components/RecordDetails';
import { RelatedRecords, relatedSectionId } from '../modules/records/components/RelatedRecords';
import { ThumbActions } from '../modules/records/components/ThumbActions';
import { useRecord } from '../modules/records/hooks/useRecord';
import { type RelatedList, recordTitle, relatedLists } from '../modules/records/utils/fields';
import { SalesRecordActions, SalesRecordAside, SalesRecordBanner } from '../modules/sales/components/SalesRecordExtras';
import { ScoreBreakdownCard } from '../modules/scoring/components/ScoreBreakdownCard';
import { usePageShortcuts } from '../modules/shortcuts/hooks/usePageShortcuts';
import { TaskCompleteButton } from '../modules/tasks/components/TaskCompleteButton';
import { CallThroughRapport } from '../modules/telephony/components/CallThroughRapport';
import { ServiceSummaryCard } from '../modules/tickets/components/ServiceSummaryCard';
import { TicketConversation } from '../modules/tickets/components/TicketConversation';
import { timelineKeys } from '../modules/timeline/api/timeline.api';
import { ContactGuardBanner } from '../modules/timeline/components/ContactGuardBanner';
import { LogInteractionModal } from '../modules/timeline/components/LogInteractionModal';
import { RecordTimeline } from '../modules/timeline/components/RecordTimeline';
import { VISIT_OBJECTS, WebsiteVisits } from '../modules/tracking/components/WebsiteVisits';
import { BackLink } from '../ui/BackLink';
import { Icon } from '../ui/Icon';
import { AnchorLink, ButtonLink } from '../ui/links';
import { NotFoundPage } from './NotFoundPage';

const route = getRouteApi('/_app/$object/$id');

/** Objects with a page of their own (lazy: their code loads when first opened). */
const OWN_PAGES: Record<string, React.ComponentType<{ id: string }>> = {
  opportunities: lazy(() => import('./OpportunityPage').then((m) => ({ default: m.OpportunityPage }))),
  quotes: lazy(() => import('./QuotePage').then((m) => ({ default: m.QuotePage }))),
  campaigns: lazy(() =>
    import('../modules/campaigns/components/CampaignPage').then((m) => ({ default: m.CampaignPage })),
  ),
};

/** One record: its object's own page, or every field, grouped, and the records related to it. */
export function RecordPage() {
  const { object, id } = route.useParams();
  const Own = OWN_PAGES[object];
  if (!Own) return <GenericRecordPage object={object} id={id} />;
  return (
    <Suspense fallback={<PageLoader />}>
      <Own key={id} id={id} />
    </Suspense>
  );
}

function GenericRecordPage({ object, id }: { object: string; id: string }) {
  const meta = useObjectMeta(object);
  const objects = useObjects();
  const record = useRecord(object, id, meta?.includes ?? []);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [trashError, setTrashError] = useState<string | null>(null);
  const [logging, setLogging] = useState(false);
  const interactions = objects.find((o) => o.name === 'interactions');
  const workspaceId = useSuspenseQuery(meQuery).data.workspace.id;
  const online = useOnline();
  const shown = record.data?.data;
  const shownTitle = meta && shown ? recordTitle(meta, shown) : null;
  const missing = record.error instanceof ApiError && record.error.status === 404;

  // Recently viewed (home page, palette): also what can be opened offline.
  useEffect(() => {
    if (shownTitle !== null) rememberViewed(workspaceId, { object, id, title: shownTitle });
  }, [workspaceId, object, id, shownTitle]);
  useEffect(() => {
    if (missing) forgetViewed(workspaceId, object, id);
  }, [workspaceId, object, id, missing]);

  const editable = !!meta && !!shown && online && !record.data?.savedAt && can(meta, 'update');
  usePageShortcuts({
    e: editable ? () => void navigate({ to: '/$object/$id/edit', params: { object, id } }) : undefined,
  });

  if (!meta) return <NotFoundPage />;
  if (record.isPending) return <PageLoader />;
  if (record.isError) {
    const gone = record.error instanceof ApiError && record.error.status === 404;
    const unreachable = record.error instanceof ApiError && record.error.code === 'network_error';
    return (
      <Alert
        color={gone ? 'gray' : 'red'}
        title={gone ? `This ${meta.singular} does not exist` : unreachable ? 'Not available offline' : 'Could not load'}
        role="alert"
      >
        {gone
          ? 'It may have been deleted.'
          : unreachable
            ? `Rapport cannot be reached, and this ${meta.singular} was not opened on this device before.`
            : record.error.message}
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

  const { data, etag, savedAt, counts = {} } = record.data;
  const lists = relatedLists(meta, objects);
  // A saved copy (or no network): show it, but changes would fail, so offer none.
  const offline = !online || !!savedAt;
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
      <BackLink object={object}>{meta.labelPlural}</BackLink>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div style={{ minWidth: 0 }}>
          <Title order={1} fz="h2" style={{ overflowWrap: 'anywhere' }}>
            {title}
          </Title>
          {typeof subtitle === 'string' && <Text c="dimmed">{subtitle}</Text>}
        </div>
        <Group gap="xs">
          <SalesRecordActions meta={meta} record={data} />
          {!offline && <CallThroughRapport object={object} record={data} />}
          {!offline && can(meta, 'update') && <TaskCompleteButton object={object} record={data} etag={etag} />}
          {!offline && can(meta, 'update') && (
            <ButtonLink
              to="/$object/$id/edit"
              params={{ object, id }}
              leftSection={<Icon name="edit" size={16} />}
              h={40}
              aria-keyshortcuts="e"
            >
              Edit
            </ButtonLink>
          )}
          {!offline && can(meta, 'delete') && (
            <Button variant="default" color="red" onClick={trash} leftSection={<Icon name="trash" size={16} />} h={40}>
              Delete
            </Button>
          )}
        </Group>
      </Group>
      {offline && <OfflineBanner savedAt={savedAt ?? null} />}
      {trashError && (
        <Alert color="red" role="alert">
          {trashError}
        </Alert>
      )}
      {lists.length > 0 && <SectionBar lists={lists} record={data} counts={counts} />}
      <ContactGuardBanner object={object} id={id} />
      <SalesRecordBanner meta={meta} record={data} />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <RecordDetails meta={meta} record={data} />
          {meta.name === 'tickets' && <TicketConversation meta={meta} record={data} />}
          <RecordTimeline meta={meta} record={data} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <SalesRecordAside meta={meta} record={data} />
            {(object === 'contacts' || object === 'leads') && !offline && (
              <ConsentPanel object={object} id={id} editable={can(meta, 'update')} />
            )}
            {VISIT_OBJECTS.has(object) && !offline && <WebsiteVisits object={object} id={id} />}
            <ScoreBreakdownCard object={object} id={id} />
            {(object === 'contacts' || object === 'accounts') && !offline && (
              <ServiceSummaryCard object={object} id={id} />
            )}
            {lists.map((list) => (
              <RelatedRecords key={list.include} record={data} list={list} count={counts[list.include]} />
            ))}
          </Stack>
        </Grid.Col>
      </Grid>
      <ThumbActions
        meta={meta}
        record={data}
        onLog={!offline && interactions && can(interactions, 'create') ? () => setLogging(true) : undefined}
      />
      {logging && (
        <LogInteractionModal
          object={object}
          record={data}
          opened
          onClose={() => setLogging(false)}
          onSaved={() => {
            void queryClient.invalidateQueries({ queryKey: timelineKeys.all(object, id) });
            void queryClient.invalidateQueries({ queryKey: recordKeys.one(object, id) });
          }}
        />
      )}
    </Stack>
  );
}

/** The customer view at a glance: each related list with how many it holds, a tap away. */
function SectionBar({
  lists,
  record,
  counts,
}: {
  lists: RelatedList[];
  record: RecordData;
  counts: Record<string, number>;
}) {
  return (
    <Group gap="xs" component="nav" aria-label="Sections">
      {lists.map((list) => {
        const embeddedList = record[list.include];
        const count = counts[list.include] ?? (Array.isArray(embeddedList) ? embeddedList.length : 0);
        return (
          <Button
            key={list.include}
            variant="light"
            size="compact-md"
            h={40}
            onClick={() =>
              document.getElementById(relatedSectionId(list.include))?.scrollIntoView({ behavior: 'smooth' })
            }
            rightSection={
              <Badge size="sm" variant="filled" color={count ? undefined : 'gray'}>
                {count}
              </Badge>
            }
          >
            {list.label}
          </Button>
        );
      })}
    </Group>
  );
}
