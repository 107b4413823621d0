import { Alert, Card, Group, Loader, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CostEntries } from '../../campaigns/components/CostEntries';
import { getAcquisitionCost, reportKeys, type TAcquisitionCost } from '../api/reports.api';
import { figureText } from './StandardDashboards';

type Money = TAcquisitionCost['cost'];
const money = (m: Money | null) => figureText(m, 'money');

/**
 * Customer acquisition cost over a period (`GET /api/v1/acquisition-cost`): cost, new
 * customers and CAC, per month, and the cost entries dated in the period, which are
 * added, changed and deleted here (the figures follow).
 */
export function AcquisitionCost() {
  const client = useQueryClient();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const cac = useQuery({
    queryKey: reportKeys.acquisition(from, to),
    queryFn: ({ signal }) => getAcquisitionCost({ from, to }, signal),
  });
  const d = cac.data;
  return (
    <Stack gap="md" data-testid="acquisition-cost">
      <Group gap="xs" align="end">
        <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={160} />
        <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={160} />
      </Group>
      {cac.error && <Alert color="red">{cac.error.message}</Alert>}
      {!d && !cac.error && <Loader size="sm" />}
      {d && (
        <>
          <Text c="dimmed" fz="sm">
            {d.from} – {d.to}: the marketing and sales cost dated in the period ÷ the accounts whose first deal was won
            in it. A campaign without cost entries counts its actual cost on its start date.
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 5 }}>
            <Figure label="Cost" value={money(d.cost)} testId="cac-cost" />
            <Figure label="Marketing cost" value={money(d.marketingCost)} />
            <Figure label="Sales cost" value={money(d.salesCost)} />
            <Figure label="New customers" value={String(d.newCustomers)} testId="cac-customers" />
            <Figure label="Customer acquisition cost" value={money(d.cac)} testId="cac-value" />
          </SimpleGrid>
          {d.otherCurrencies.length > 0 && (
            <Text c="dimmed" fz="sm">
              Left out (other currencies): {d.otherCurrencies.map(money).join(', ')}
            </Text>
          )}
          <Table.ScrollContainer minWidth={560} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
            <Table striped aria-label="Customer acquisition cost by month">
              <Table.Thead>
                <Table.Tr>
                  {['Period', 'Cost', 'New customers', 'CAC'].map((c) => (
                    <Table.Th key={c}>{c}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.periods.map((p) => (
                  <Table.Tr key={p.from}>
                    <Table.Td>
                      {p.from} – {p.to}
                    </Table.Td>
                    <Table.Td>{money(p.cost)}</Table.Td>
                    <Table.Td>{p.newCustomers}</Table.Td>
                    <Table.Td>{money(p.cac)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Card withBorder>
            <Text fw={600} mb="xs">
              Cost entries {d.from} – {d.to}
            </Text>
            <CostEntries
              from={d.from}
              to={d.to}
              onChanged={() => void client.invalidateQueries({ queryKey: ['reports'] })}
            />
          </Card>
        </>
      )}
    </Stack>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text fz="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}
