import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { AnchorLink } from '../../../ui/links';
import { recordKeys } from '../../records/api/record-keys';
import { createRecord, type RecordData } from '../../records/api/records.api';
import { formatMoney, type Money } from '../../records/utils/format';
import { QUOTE_STATUS_COLOR } from './quote-status';
import { ToneBadge } from './ToneBadge';

/** 30 days from today (UTC), the default validity of a new quote. */
const in30Days = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

/** The opportunity's quotes with number, status and total, and "New quote". */
export function OpportunityQuotes({ opportunity, canCreate }: { opportunity: RecordData; canCreate: boolean }) {
  const quotes = Array.isArray(opportunity.quotes) ? (opportunity.quotes as RecordData[]) : [];
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const amount = opportunity.amount as Money | null;

  const newQuote = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await createRecord('quotes', {
        name: `${String(opportunity.name)} — quote ${quotes.length + 1}`,
        opportunityId: opportunity.id,
        currency: amount?.currency ?? 'EUR',
        validUntil: in30Days(),
      });
      await queryClient.invalidateQueries({ queryKey: recordKeys.all('quotes') });
      await queryClient.invalidateQueries({ queryKey: recordKeys.one('opportunities', opportunity.id) });
      await navigate({ to: '/$object/$id', params: { object: 'quotes', id: created.data.id } });
    } catch (err) {
      setError(
        err instanceof ApiError
          ? [err.message, ...err.errors.map((e) => `${e.path}: ${e.message}`)].join(' — ')
          : 'Not created.',
      );
      setBusy(false);
    }
  };

  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="opp-quotes-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="h5" id="opp-quotes-title">
          Quotes
        </Title>
        {canCreate && (
          <Button variant="light" h={40} onClick={newQuote} loading={busy}>
            New quote
          </Button>
        )}
      </Group>
      {quotes.length === 0 ? (
        <Text size="sm" c="dimmed">
          No quotes yet.
        </Text>
      ) : (
        <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="opportunity-quotes">
          {quotes.map((q) => (
            <Group component="li" key={q.id} justify="space-between" wrap="nowrap" gap="xs" mih={40}>
              <AnchorLink to="/$object/$id" params={{ object: 'quotes', id: q.id }} size="sm" truncate>
                #{String(q.number ?? '')} {String(q.name ?? '')}
              </AnchorLink>
              <Group gap={6} wrap="nowrap">
                <Text size="sm">{q.total ? formatMoney(q.total as Money) : ''}</Text>
                <ToneBadge size="sm" tone={QUOTE_STATUS_COLOR[String(q.status)] ?? 'gray'}>
                  {String(q.status)}
                </ToneBadge>
              </Group>
            </Group>
          ))}
        </Stack>
      )}
      {error && (
        <Text size="sm" c="red.8" role="alert" mt="xs">
          {error}
        </Text>
      )}
    </Card>
  );
}
