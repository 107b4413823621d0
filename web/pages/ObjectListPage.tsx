import { Group, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useRef } from 'react';
import { can, type ObjectMeta } from '../modules/objects/api/objects.api';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import { ColumnChooser } from '../modules/records/components/ColumnChooser';
import { ExportButton } from '../modules/records/components/ExportButton';
import { FilterBuilder } from '../modules/records/components/FilterBuilder';
import { FilterChips } from '../modules/records/components/FilterChips';
import { ListEmpty, ListError, ListLoading } from '../modules/records/components/ListState';
import { RecordTable } from '../modules/records/components/RecordTable';
import { useColumnPrefs } from '../modules/records/hooks/useColumnPrefs';
import { useRecordList } from '../modules/records/hooks/useRecordList';
import { includesFor, listColumns } from '../modules/records/utils/fields';
import { type FilterLeaf, toFilterNode } from '../modules/records/utils/filters';
import listKeys from '../modules/shortcuts/components/KeyboardList.module.css';
import { usePageShortcuts } from '../modules/shortcuts/hooks/usePageShortcuts';
import { moveRowFocus } from '../modules/shortcuts/utils/row-focus';
import { Icon } from '../ui/Icon';
import { ButtonLink } from '../ui/links';
import { NotFoundPage } from './NotFoundPage';

const route = getRouteApi('/_app/$object');

/** Any object's list: filter, sort and scroll through every record. */
export function ObjectListPage() {
  const { object } = route.useParams();
  const meta = useObjectMeta(object);
  if (!meta) return <NotFoundPage />;
  return <ObjectList key={meta.name} meta={meta} />;
}

function ObjectList({ meta }: { meta: ObjectMeta }) {
  const object = meta.name;
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const narrow = useMediaQuery('(max-width: 36em)');
  const prefs = useColumnPrefs(meta);
  const all = prefs.columns;
  const phone = listColumns(meta);
  const columns = narrow ? phone.slice(0, 1).concat(phone.filter((f) => meta.subtitleFields.includes(f.name))) : all;
  const sort = search.sort ?? meta.defaultSort;
  const leaves = search.filter ?? [];
  const list = useRecordList(object, {
    sort: search.sort,
    filter: toFilterNode(leaves),
    include: includesFor(meta, columns),
  });

  const setFilter = (filter: FilterLeaf[]) =>
    navigate({ search: (s) => ({ ...s, filter: filter.length ? filter : undefined }) });
  const setSort = (next: string | undefined) => navigate({ search: (s) => ({ ...s, sort: next }) });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Keyboard: n new record, / filter, j/k move through the rows (the `?` dialog lists them).
  const page = useRef<HTMLDivElement>(null);
  usePageShortcuts({
    n: can(meta, 'create') ? () => void navigate({ to: '/$object/new', params: { object } }) : undefined,
    '/': () => page.current?.querySelector<HTMLButtonElement>('button[aria-label="Filter"]')?.click(),
    j: () => moveRowFocus(page.current, 1),
    k: () => moveRowFocus(page.current, -1),
  });

  return (
    // Fills the viewport below the header, so the table scrolls inside itself.
    <Stack
      gap="sm"
      h="calc(100dvh - var(--app-shell-header-offset, 56px) - 2 * var(--mantine-spacing-md))"
      ref={page}
      className={listKeys.list}
    >
      <Group justify="space-between" wrap="nowrap">
        <Title order={1} fz={{ base: 'h3', xs: 'h2' }} lineClamp={1}>
          {meta.labelPlural}
        </Title>
        <Group gap="xs" wrap="nowrap">
          {can(meta, 'export') && (
            <ExportButton meta={meta} filter={toFilterNode(leaves)} sort={search.sort} columns={all} />
          )}
          <ColumnChooser meta={meta} columns={all} onChange={prefs.save} />
          <FilterBuilder meta={meta} value={leaves} onApply={setFilter} />
          {can(meta, 'create') && (
            <ButtonLink
              to="/$object/new"
              params={{ object }}
              h={40}
              leftSection={<Icon name="plus" size={16} />}
              aria-label={`New ${meta.singular}`}
              aria-keyshortcuts="n"
            >
              New{' '}
              <Text span visibleFrom="xs" inherit ml={4}>
                {meta.singular}
              </Text>
            </ButtonLink>
          )}
        </Group>
      </Group>
      <FilterChips meta={meta} value={leaves} onChange={setFilter} />
      {list.isPending ? (
        <ListLoading />
      ) : list.isError && list.rows.length === 0 ? (
        <ListError
          error={list.error}
          onRetry={() => void list.refetch()}
          onClear={leaves.length ? () => setFilter([]) : undefined}
        />
      ) : list.rows.length === 0 ? (
        <ListEmpty meta={meta} filtered={leaves.length > 0} onClear={() => setFilter([])} />
      ) : (
        <RecordTable
          meta={meta}
          columns={columns}
          rows={list.rows}
          sort={sort}
          onSortChange={setSort}
          hasMore={!!list.hasNextPage}
          loadingMore={list.isFetchingNextPage}
          onLoadMore={loadMore}
          fluid={!!narrow}
        />
      )}
    </Stack>
  );
}
