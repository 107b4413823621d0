import { Alert, Button, Checkbox, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import { recordKeys } from '../../records/api/record-keys';
import type { RecordData } from '../../records/api/records.api';
import { findConversionMatches } from '../api/conversion-matches';
import { convertLead, newKey, salesKeys } from '../api/sales.api';
import { usePipelines } from '../hooks/usePipelines';
import { ConversionTarget, defaultChoice, type TargetChoice } from './ConversionTarget';

interface Props {
  lead: RecordData;
  opened: boolean;
  onClose: () => void;
}

const leadName = (lead: RecordData) =>
  [lead.firstName, lead.lastName].filter((v) => typeof v === 'string' && v).join(' ') || String(lead.email ?? '');

/** The record a choice names (undefined: let the server match). */
const chosenId = (c: TargetChoice) =>
  c.kind === 'match' ? c.id : c.kind === 'other' ? (c.id ?? undefined) : undefined;

/**
 * Converts a lead: shows the account and contact it will be linked to (or created) and
 * the likely matches with their reasons (API conversion-matches), lets the user pick
 * another or confirm a new account, and optionally creates an opportunity; then opens
 * the opportunity (or the contact).
 */
export function ConvertLeadDialog({ lead, opened, onClose }: Props) {
  const accounts = useObjectMeta('accounts');
  const contacts = useObjectMeta('contacts');
  const pipelines = usePipelines();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const matches = useQuery({
    queryKey: ['sales', 'conversion-matches', lead.id, lead.version],
    queryFn: ({ signal }) => findConversionMatches(lead.id, signal),
    enabled: opened,
  });
  const company = typeof lead.company === 'string' ? lead.company : '';
  const accountLabel = company || (typeof lead.domain === 'string' ? lead.domain : '');
  const accountCandidates = matches.data?.accounts ?? [];
  const contactCandidates = matches.data?.contacts ?? [];
  // null: what the server would do by itself, until the rep chooses.
  const [accountPick, setAccountPick] = useState<TargetChoice | null>(null);
  const [contactPick, setContactPick] = useState<TargetChoice | null>(null);
  const accountChoice = accountPick ?? defaultChoice(accountCandidates, !!accountLabel);
  const contactChoice = contactPick ?? defaultChoice(contactCandidates, true);
  const [withOpportunity, setWithOpportunity] = useState(true);
  const [name, setName] = useState(company || leadName(lead));
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [closeDate, setCloseDate] = useState('');
  const [pipelineId, setPipelineId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // One key per dialog: a retry after a lost answer cannot convert twice.
  const [key] = useState(newKey);

  const fieldError = (path: string) =>
    error?.errors.find((e) => e.path === path || e.path.endsWith(`.${path}`))?.message;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await convertLead(
        lead.id,
        {
          // Only what the rep chose: otherwise the server matches again, in its transaction.
          accountId: accountPick ? chosenId(accountPick) : undefined,
          newAccount: accountPick?.kind === 'new' ? true : undefined,
          contactId: contactPick ? chosenId(contactPick) : undefined,
          createOpportunity: withOpportunity,
          opportunity: withOpportunity
            ? {
                name: name.trim() || undefined,
                amount: amount.trim() ? { amount: amount.trim(), currency: currency.trim().toUpperCase() } : undefined,
                pipelineId: pipelineId ?? undefined,
                expectedCloseDate: closeDate || undefined,
              }
            : undefined,
        },
        key,
      );
      for (const o of ['leads', 'accounts', 'contacts', 'opportunities'])
        await queryClient.invalidateQueries({ queryKey: recordKeys.all(o) });
      await queryClient.invalidateQueries({ queryKey: salesKeys.all });
      onClose();
      if (result.opportunity)
        await navigate({ to: '/$object/$id', params: { object: 'opportunities', id: result.opportunity.id } });
      else await navigate({ to: '/$object/$id', params: { object: 'contacts', id: result.contact.id } });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'unknown', 'The lead could not be converted.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title={`Convert ${leadName(lead) || 'lead'}`}
      size="lg"
      centered
    >
      <Stack gap="md">
        {error && (
          <Alert color="red" role="alert" title="Not converted">
            {error.message}
            {error.errors.map((e) => (
              <Text key={e.path} size="sm">
                {e.path}: {e.message}
              </Text>
            ))}
          </Alert>
        )}
        {matches.isError && (
          <Text size="sm" c="red.8">
            The likely matches could not be loaded; converting still links an account or contact that matches.
          </Text>
        )}
        {accounts && (
          <ConversionTarget
            meta={accounts}
            loading={matches.isPending}
            candidates={accountCandidates}
            newLabel={accountLabel}
            allowNew
            choice={accountChoice}
            onChoose={setAccountPick}
          />
        )}
        {contacts && (
          <ConversionTarget
            meta={contacts}
            loading={matches.isPending}
            candidates={contactCandidates}
            newLabel={leadName(lead)}
            allowNew={contactCandidates.length === 0}
            choice={contactChoice}
            onChoose={setContactPick}
          />
        )}
        <Checkbox
          label="Create an opportunity"
          checked={withOpportunity}
          onChange={(e) => setWithOpportunity(e.currentTarget.checked)}
        />
        {withOpportunity && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Opportunity name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError('name')}
            />
            <Select
              label="Pipeline"
              data={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
              value={pipelineId ?? pipelines.data?.[0]?.id ?? null}
              onChange={setPipelineId}
              allowDeselect={false}
              error={fieldError('pipelineId')}
            />
            <TextInput
              label="Amount"
              inputMode="decimal"
              placeholder="e.g. 12000"
              value={amount}
              onChange={(e) => setAmount(e.currentTarget.value)}
              error={fieldError('amount') ?? fieldError('amount.amount')}
            />
            <TextInput
              label="Currency"
              value={currency}
              maxLength={3}
              onChange={(e) => setCurrency(e.currentTarget.value)}
              error={fieldError('amount.currency')}
            />
            <TextInput
              label="Expected close date"
              type="date"
              value={closeDate}
              onChange={(e) => setCloseDate(e.currentTarget.value)}
              error={fieldError('expectedCloseDate')}
            />
          </SimpleGrid>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} h={40}>
            Cancel
          </Button>
          <Button onClick={submit} loading={busy} h={40}>
            Convert
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
