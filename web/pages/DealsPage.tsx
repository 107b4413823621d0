import { Stack, Title } from '@mantine/core';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useMemo } from 'react';
import { DealFilters } from '../modules/sales/components/DealFilters';
import { DealStatsCards } from '../modules/sales/components/DealStatsCards';
import { DealsTable } from '../modules/sales/components/DealsTable';
import { usePipelines } from '../modules/sales/hooks/usePipelines';
import { dealsParams } from '../modules/sales/utils/deals-search';

const route = getRouteApi('/_app/deals');

/** Won and lost deals with win rate, cycle length and totals. */
export function DealsPage() {
  const search = route.useSearch();
  const navigate = useNavigate();
  const pipelines = usePipelines();
  // Computed once per filter change, so the query key stays put while the page is open.
  const params = useMemo(() => dealsParams(search, new Date()), [search]);
  // The result filter narrows the list; a win rate needs both won and lost deals.
  const statsParams = useMemo(() => ({ ...params, status: undefined }), [params]);
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        Deals
      </Title>
      <DealFilters
        search={search}
        pipelines={pipelines.data ?? []}
        onChange={(next) => void navigate({ to: '/deals', search: next })}
      />
      <DealStatsCards params={statsParams} />
      <DealsTable params={params} />
    </Stack>
  );
}
