import { Alert, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { PageLoader } from '../app/PageLoader';
import { can } from '../modules/objects/api/objects.api';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import { recordKeys } from '../modules/records/api/record-keys';
import { updateRecord } from '../modules/records/api/records.api';
import { useRecord } from '../modules/records/hooks/useRecord';
import { acceptQuote, getQuoteLines, salesKeys, setQuoteLines } from '../modules/sales/api/sales.api';
import { QuoteActions } from '../modules/sales/components/QuoteActions';
import { QuoteLinesEditor } from '../modules/sales/components/QuoteLinesEditor';
import { QUOTE_STATUS_COLOR } from '../modules/sales/components/quote-status';
import { RecordLoadError } from '../modules/sales/components/RecordLoadError';
import { READABLE_ALERT } from '../modules/sales/components/readable-alert';
import { ToneBadge } from '../modules/sales/components/ToneBadge';
import { Icon } from '../ui/Icon';
import { AnchorLink, ButtonLink } from '../ui/links';
import { NotFoundPage } from './NotFoundPage';

/** A quote: line items with live totals, validity, send / accept / reject, and the PDF. */
export function QuotePage({ id }: { id: string }) {
  const meta = useObjectMeta('quotes');
  const queryClient = useQueryClient();
  const record = useRecord('quotes', id, meta?.includes ?? []);
  const lines = useQuery({ queryKey: salesKeys.lines(id), queryFn: ({ signal }) => getQuoteLines(id, signal) });
  const [linesDirty, setLinesDirty] = useState(false);
  const [accepted, setAccepted] = useState<string | null>(null);
  if (!meta) return <NotFoundPage />;
  if (record.isPending || lines.isPending) return <PageLoader />;
  if (record.isError)
    return <RecordLoadError error={record.error} what="quote" onRetry={() => void record.refetch()} />;
  if (lines.isError) return <RecordLoadError error={lines.error} what="quote" onRetry={() => void lines.refetch()} />;

  const { data: quote, etag } = record.data;
  const status = String(quote.status ?? 'draft');
  const canUpdate = can(meta, 'update');
  const opportunity = quote.opportunity as { id?: string; name?: string } | null;
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: recordKeys.all('quotes') });
    await queryClient.invalidateQueries({ queryKey: salesKeys.lines(id) });
  };
  const patch = async (changes: Record<string, unknown>) => {
    try {
      await updateRecord('quotes', id, changes, etag);
    } finally {
      await refresh();
    }
  };
  const accept = async () => {
    const result = await acceptQuote(id);
    setAccepted(result.opportunity ? result.opportunity.id : null);
    await refresh();
    await queryClient.invalidateQueries({ queryKey: recordKeys.all('opportunities') });
    await queryClient.invalidateQueries({ queryKey: salesKeys.all });
  };

  return (
    <Stack gap="md">
      {opportunity?.id && (
        <AnchorLink to="/$object/$id" params={{ object: 'opportunities', id: opportunity.id }} size="sm">
          <Group gap={4} component="span">
            <Icon name="back" size={14} />
            {opportunity.name ?? 'Opportunity'}
          </Group>
        </AnchorLink>
      )}
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Title order={1} fz="h2" style={{ overflowWrap: 'anywhere' }}>
              Quote #{String(quote.number ?? '')} {String(quote.name ?? '')}
            </Title>
            <ToneBadge tone={QUOTE_STATUS_COLOR[status] ?? 'gray'} data-testid="quote-status">
              {status}
            </ToneBadge>
          </Group>
          <Text c="dimmed" size="sm">
            Currency {String(quote.currency ?? '')}
          </Text>
        </div>
        {canUpdate && status !== 'accepted' && (
          <ButtonLink
            to="/$object/$id/edit"
            params={{ object: 'quotes', id }}
            leftSection={<Icon name="edit" size={16} />}
            h={40}
            variant="default"
          >
            Edit details
          </ButtonLink>
        )}
      </Group>
      {status === 'accepted' && (
        <Alert styles={READABLE_ALERT} color="green" title="Accepted" data-testid="quote-accepted">
          {typeof quote.acceptedAt === 'string' ? `On ${new Date(quote.acceptedAt).toLocaleString()}. ` : ''}
          {(accepted ?? opportunity?.id) && (
            <AnchorLink
              c="blue.9"
              to="/$object/$id"
              params={{ object: 'opportunities', id: (accepted ?? opportunity?.id) as string }}
            >
              Open the opportunity
            </AnchorLink>
          )}
        </Alert>
      )}
      <QuoteActions quote={quote} canUpdate={canUpdate} linesDirty={linesDirty} patch={patch} accept={accept} />
      <QuoteLinesEditor
        key={`${quote.version}`}
        quote={quote}
        lines={lines.data}
        editable={canUpdate && status === 'draft'}
        onDirtyChange={setLinesDirty}
        save={async (draft) => {
          const saved = await setQuoteLines(
            id,
            draft.map((l) => ({
              productId: l.productId,
              name: l.name.trim() || undefined,
              quantity: l.quantity.trim(),
              unitPrice: l.unitPrice.trim(),
              discountPercent: l.discountPercent.trim() || '0',
              taxRate: l.taxRate.trim() || '0',
            })),
            etag,
          );
          queryClient.setQueryData(salesKeys.lines(id), saved.lines);
          await queryClient.invalidateQueries({ queryKey: recordKeys.all('quotes') });
        }}
      />
      {status !== 'draft' && status !== 'accepted' && (
        <Text size="sm" c="dimmed">
          Only a draft quote’s line items can change.
        </Text>
      )}
    </Stack>
  );
}
