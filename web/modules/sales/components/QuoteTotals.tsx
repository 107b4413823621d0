import { Card, Group, Stack, Text, Title } from '@mantine/core';
import { formatDecimal } from '../../records/utils/format';
import type { Totals } from '../utils/quote-math';
import { ToneBadge } from './ToneBadge';

/** Subtotal, discount, tax and total: live while editing, the server's once saved. */
export function QuoteTotals({ totals, currency, live }: { totals: Totals; currency: string; live: boolean }) {
  const rows = [
    { label: 'Subtotal', value: totals.subtotal, id: 'subtotal' },
    { label: 'Discount', value: totals.discountTotal, id: 'discount', minus: true },
    { label: 'Tax', value: totals.taxTotal, id: 'tax' },
  ];
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="quote-totals-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} fz="h5" id="quote-totals-title">
          Totals
        </Title>
        <ToneBadge tone={live ? 'orange' : 'green'} data-testid="totals-source">
          {live ? 'live, not saved' : 'saved'}
        </ToneBadge>
      </Group>
      <Stack gap={4} component="dl" m={0}>
        {rows.map((r) => (
          <Group key={r.id} justify="space-between">
            <Text component="dt" size="sm">
              {r.label}
            </Text>
            <Text component="dd" m={0} size="sm" data-testid={`totals-${r.id}`}>
              {r.minus ? '− ' : ''}
              {formatDecimal(r.value)} {currency}
            </Text>
          </Group>
        ))}
        <Group justify="space-between" pt={4} style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
          <Text component="dt" fw={700}>
            Total
          </Text>
          <Text component="dd" m={0} fw={700} size="lg" data-testid="totals-total">
            {formatDecimal(totals.total)} {currency}
          </Text>
        </Group>
      </Stack>
    </Card>
  );
}
