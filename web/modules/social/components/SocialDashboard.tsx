import { Alert, Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { ReportChart } from '../../reports/components/ReportChart';
import { getStats, socialKeys } from '../api/social.api';
import { negativeShareResult, sentimentResult, volumeResult } from '../utils/dashboard';
import { NETWORK_LABEL } from './SocialList';

const PERIODS = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
];

/**
 * /social/dashboard: the brand mentions dashboard. Volume by network and day, the sentiment
 * split, top authors, unanswered conversations and the median response time, drawn with
 * the reports module's charts (each with its table for screen readers).
 */
export function SocialDashboard() {
  const [days, setDays] = useState('30');
  const q = useQuery({
    queryKey: socialKeys.stats(Number(days)),
    queryFn: ({ signal }) => getStats(Number(days), signal),
  });
  const s = q.data;
  const networks = s ? [...new Set(s.volume.map((v) => v.network))].sort() : [];
  const sentiment = s ? sentimentResult(s) : null;
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Brand dashboard</Title>
        <AnchorLink to="/social" {...TAPPABLE}>
          Social inbox
        </AnchorLink>
      </Group>
      <SegmentedControl data={PERIODS} value={days} onChange={setDays} aria-label="Period" size="md" w="fit-content" />
      {q.isError && (
        <Alert color="red" role="alert">
          The dashboard could not be loaded.
        </Alert>
      )}
      {q.isPending && <Text role="status">Loading…</Text>}
      {s && (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Card withBorder padding="md">
              <Text size="sm" c="dimmed">
                Unanswered
              </Text>
              <Text fz={32} fw={700} data-testid="social-unanswered">
                {s.unanswered}
              </Text>
            </Card>
            <Card withBorder padding="md">
              <Text size="sm" c="dimmed">
                Median response time
              </Text>
              <Text fz={32} fw={700} data-testid="social-response-time">
                {s.medianResponseMinutes === null ? '—' : `${s.medianResponseMinutes} min`}
              </Text>
            </Card>
          </SimpleGrid>
          <Card withBorder padding="md" component="section" aria-label="Volume by network">
            <Title order={3} size="h4" mb="xs">
              Volume by network
            </Title>
            {networks.length === 0 && <Text c="dimmed">No messages in this period.</Text>}
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              {networks.map((n) => (
                <Stack key={n} gap={4} data-testid="social-volume-chart">
                  <Text fw={600}>{NETWORK_LABEL[n] ?? n}</Text>
                  <ReportChart result={volumeResult(s, n)} type="line" />
                </Stack>
              ))}
            </SimpleGrid>
          </Card>
          {sentiment && s.sentiment.length > 0 && (
            <Card withBorder padding="md" component="section" aria-label="Sentiment">
              <Title order={3} size="h4" mb="xs">
                Sentiment
              </Title>
              <ReportChart result={sentiment} type="pie" />
            </Card>
          )}
          {s.sentiment.length > 0 && (
            <Card withBorder padding="md" component="section" aria-label="Sentiment over time">
              <Title order={3} size="h4" mb="xs">
                Sentiment over time
              </Title>
              <Text size="sm" c="dimmed" mb="xs">
                The share of each day's messages that read as negative.
              </Text>
              <ReportChart result={negativeShareResult(s)} type="line" />
            </Card>
          )}
          {s.topAuthors.length > 0 && (
            <Card withBorder padding="md" component="section" aria-label="Top authors">
              <Title order={3} size="h4" mb="xs">
                Top authors
              </Title>
              <Table.ScrollContainer minWidth={280}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Author</Table.Th>
                      <Table.Th>Network</Table.Th>
                      <Table.Th>Messages</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {s.topAuthors.map((a) => (
                      <Table.Tr key={`${a.network}:${a.author}`}>
                        <Table.Td>{a.author}</Table.Td>
                        <Table.Td>{NETWORK_LABEL[a.network] ?? a.network}</Table.Td>
                        <Table.Td>{a.count}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Card>
          )}
        </>
      )}
    </Stack>
  );
}
