import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useBlocker } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { RecordData } from '../../records/api/records.api';
import type { Money } from '../../records/utils/format';
import type { QuoteLine } from '../api/sales.api';
import { useQuoteCatalogue } from '../hooks/useQuoteCatalogue';
import { lineAmounts, quoteTotals, type Totals } from '../utils/quote-math';
import { type DraftLine, QuoteLineRow } from './QuoteLineRow';
import { QuoteTotals } from './QuoteTotals';

interface Props {
  quote: RecordData;
  lines: QuoteLine[];
  editable: boolean;
  save: (lines: DraftLine[]) => Promise<void>;
  onDirtyChange: (dirty: boolean) => void;
}

let seq = 0;
const key = () => `l${++seq}`;
const fromServer = (l: QuoteLine): DraftLine => ({
  key: l.id,
  productId: l.productId,
  name: l.name,
  quantity: l.quantity,
  // Absent when the caller's role hides the quote's amounts (the server leaves them out).
  unitPrice: l.unitPrice ?? '',
  discountPercent: l.discountPercent ?? '0',
  taxRate: l.taxRate ?? '0',
});
const empty = (): DraftLine => ({
  key: key(),
  productId: null,
  name: '',
  quantity: '1',
  unitPrice: '',
  discountPercent: '0',
  taxRate: '0',
});

const money = (v: unknown) => (v && typeof v === 'object' ? (v as Money).amount : '0');

/**
 * The line items of a quote with live totals (computed here exactly as the server
 * does, quote-math.ts); saving sends them and shows the server's totals.
 */
export function QuoteLinesEditor({ quote, lines, editable, save, onDirtyChange }: Props) {
  const currency = String(quote.currency ?? 'EUR');
  const catalogue = useQuoteCatalogue((quote.priceBookId as string | null) ?? null, currency);
  const [draft, setDraft] = useState<DraftLine[]>(() => lines.map(fromServer));
  const [dirty, setDirtyState] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const setDirty = (d: boolean) => {
    setDirtyState(d);
    onDirtyChange(d);
  };
  useBlocker({
    shouldBlockFn: () => dirty && !window.confirm('Leave without saving the line items?'),
    enableBeforeUnload: () => dirty,
  });

  const amounts = useMemo(() => draft.map((l) => lineAmounts(l, currency)), [draft, currency]);
  const complete = amounts.every((a) => a !== null);
  const totals: Totals = dirty
    ? quoteTotals(
        amounts.filter((a) => a !== null),
        currency,
      )
    : {
        subtotal: money(quote.subtotal),
        discountTotal: money(quote.discountTotal),
        taxTotal: money(quote.taxTotal),
        total: money(quote.total),
      };
  const change = (next: DraftLine[]) => {
    setDraft(next);
    setDirty(true);
  };
  const lineError = (i: number) => (field: string) =>
    error?.errors.find((e) => e.path === `lines.${i}.${field}`)?.message;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await save(draft);
      setDirty(false);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'unknown', 'The line items could not be saved.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Stack gap="xs" component="ol" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Line items">
        {draft.map((l, i) => (
          <QuoteLineRow
            key={l.key}
            index={i}
            line={l}
            amounts={amounts[i] ?? null}
            currency={currency}
            catalogue={catalogue.items}
            readOnly={!editable}
            errors={lineError(i)}
            onChange={(next) => change(draft.map((x) => (x.key === l.key ? next : x)))}
            onRemove={() => change(draft.filter((x) => x.key !== l.key))}
          />
        ))}
      </Stack>
      {draft.length === 0 && (
        <Text size="sm" c="dimmed">
          No line items yet.
        </Text>
      )}
      {error && (
        <Alert color="red" role="alert" title="Not saved">
          {error.status === 412
            ? 'Someone changed this quote meanwhile. Reload the page to see the latest version.'
            : error.message}
        </Alert>
      )}
      {editable && (
        <Group gap="sm">
          <Button variant="default" h={40} onClick={() => change([...draft, empty()])}>
            Add line
          </Button>
          <Button h={40} onClick={submit} loading={busy} disabled={!dirty || !complete}>
            Save line items
          </Button>
          {!complete && (
            <Text size="sm" c="dimmed">
              Every line needs a quantity and a unit price (digits, with a dot for decimals).
            </Text>
          )}
        </Group>
      )}
      <QuoteTotals totals={totals} currency={currency} live={dirty} />
    </Stack>
  );
}
