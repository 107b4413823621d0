import { Group, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { getRouteApi } from '@tanstack/react-router';
import { lazy, Suspense, useEffect, useMemo, useRef } from 'react';
import type { FilterNode } from '../../common/filter-ops';
import { BoardSettings } from '../modules/board/components/BoardSettings';
import { ViewModeToggle } from '../modules/board/components/ViewModeToggle';
import { groupFields, sumFields } from '../modules/board/utils/board';
import { can, type FieldMeta, type ObjectMeta } from '../modules/objects/api/objects.api';
import { useObjectMeta } from '../modules/objects/hooks/useObjectMeta';
import { useObjects } from '../modules/objects/hooks/useObjects';
import { BulkActionBar } from '../modules/records/components/BulkActionBar';
import { ColumnChooser } from '../modules/records/components/ColumnChooser';
import { ExportButton } from '../modules/records/components/ExportButton';
import { FilterBuilder } from '../modules/records/components/FilterBuilder';
import { FilterChips } from '../modules/records/components/FilterChips';
import { ListEmpty, ListError, ListLoading } from '../modules/records/components/ListState';
import { RecordTable } from '../modules/records/components/RecordTable';
import { useColumnPrefs } from '../modules/records/hooks/useColumnPrefs';
import { useRecordCache } from '../modules/records/hooks/useRecordCache';
import { useRecordCount, useRecordList } from '../modules/records/hooks/useRecordList';
import { useSelection } from '../modules/records/hooks/useSelection';
import {
  type CardLayout,
  cardLayout,
  compactIncluded,
  editableFields,
  includesFor,
  listColumns,
  listFields,
} from '../modules/records/utils/fields';
import { canAddToSegment } from '../modules/segments/api/segments.api';
import listKeys from '../modules/shortcuts/components/KeyboardList.module.css';
import { usePageShortcuts } from '../modules/shortcuts/hooks/usePageShortcuts';
import { moveRowFocus } from '../modules/shortcuts/utils/row-focus';
import type { SavedView } from '../modules/views/api/views.api';
import { SavedViewPicker } from '../modules/views/components/SavedViewPicker';
import { stateOf, type ViewState } from '../modules/views/utils/view-state';
import { Icon } from '../ui/Icon';
import { ButtonLink } from '../ui/links';
import { NotFoundPage } from './NotFoundPage';

const route = getRouteApi('/_app/$object');
// The board (and drag and drop) loads when first shown, not with every list.
const BoardView = lazy(() => import('../modules/board/components/BoardView').then((m) => ({ default: m.BoardView })));

/** Any object's list or board: saved views, filter, sort, inline edit, bulk actions. */
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
  const selection = useSelection();
  const all = prefs.columns;
  const phone = listColumns(meta);
  const columns = narrow ? phone.slice(0, 1).concat(phone.filter((f) => meta.subtitleFields.includes(f.name))) : all;
  // On a phone each record is a card: its columns above become the sort bar.
  const card = useMemo(() => (narrow ? cardLayout(meta) : undefined), [narrow, meta]);
  const sort = search.sort ?? meta.defaultSort;
  const filter = search.filter;
  const objects = useObjects();
  const boardable = groupFields(meta).length > 0;
  // The same query the list reads its length from (one request for both).
  const total = useRecordCount(object, filter).data;
  const board =
    boardable && search.board && groupFields(meta).some((f) => f.name === search.board) ? search.board : undefined;
  const state: ViewState = {
    sort: search.sort,
    filter: search.filter,
    columns: prefs.customised ? all.map((c) => c.name) : undefined,
    board,
    sum: board ? search.sum : undefined,
  };

  const setFilter = (next: FilterNode | undefined) => navigate({ search: (s) => ({ ...s, filter: next }) });
  const setSort = (next: string | undefined) => navigate({ search: (s) => ({ ...s, sort: next }) });
  const applyView = (view: SavedView | null) => {
    const next = view ? stateOf(view, meta, objects) : {};
    prefs.save(next.columns ?? null);
    navigate({
      search: { view: view?.id, sort: next.sort, filter: next.filter, board: next.board, sum: next.sum },
    });
  };
  const setMode = (mode: 'list' | 'board') =>
    navigate({
      search: (s) => ({
        ...s,
        board: mode === 'board' ? (groupFields(meta)[0]?.name ?? undefined) : undefined,
        sum: mode === 'board' ? sumFields(meta).find((f) => f.type === 'money')?.name : undefined,
      }),
    });

  // A new filter or sort shows other records: start the selection afresh.
  const filterKey = JSON.stringify([search.filter, search.sort, board]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey stands for what the list shows.
  useEffect(() => selection.clear(), [filterKey, selection.clear]);

  // Keyboard: n new record, / filter, j/k move through the rows (the `?` dialog lists them).
  const page = useRef<HTMLDivElement>(null);
  usePageShortcuts({
    n: can(meta, 'create') ? () => void navigate({ to: '/$object/new', params: { object } }) : undefined,
    '/': () => page.current?.querySelector<HTMLButtonElement>('button[aria-label="Filter"]')?.click(),
    j: () => moveRowFocus(page.current, 1),
    k: () => moveRowFocus(page.current, -1),
  });

  return (
    // Fills the viewport below the header, so the table or board scrolls inside itself.
    <Stack
      gap="sm"
      h="calc(100dvh - var(--app-shell-header-offset, 56px) - 2 * var(--mantine-spacing-md))"
      ref={page}
      className={listKeys.list}
    >
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" align="baseline" wrap="nowrap" miw={0}>
          <Title order={1} fz={{ base: 'h3', xs: 'h2' }} lineClamp={1}>
            {meta.labelPlural}
          </Title>
          {!board && total != null && (
            <Text c="dimmed" size="sm" data-testid="list-total" style={{ whiteSpace: 'nowrap' }}>
              {total.toLocaleString()}
              <Text span inherit visibleFrom="xs">
                {' '}
                {total === 1 ? meta.singular : meta.labelPlural.toLowerCase()}
              </Text>
            </Text>
          )}
        </Group>
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
      <Group gap="xs" wrap="wrap" align="flex-end" data-testid="list-toolbar">
        <SavedViewPicker meta={meta} currentId={search.view} state={state} onSelect={applyView} />
        {boardable && <ViewModeToggle mode={board ? 'board' : 'list'} onChange={setMode} />}
        <FilterBuilder meta={meta} value={filter} onApply={setFilter} />
        {!board && <ColumnChooser meta={meta} columns={all} onChange={prefs.save} />}
        {!board && can(meta, 'export') && <ExportButton meta={meta} filter={filter} sort={search.sort} columns={all} />}
        {!board && meta.fields.some((f) => f.name === 'address' && f.type === 'address') && (
          <ButtonLink to="/map" search={{ object, filter }} variant="default" h={40}>
            Map
          </ButtonLink>
        )}
      </Group>
      {board && (
        <BoardSettings
          meta={meta}
          groupBy={board}
          sum={search.sum}
          onChange={(next) => navigate({ search: (s) => ({ ...s, board: next.groupBy, sum: next.sum }) })}
        />
      )}
      <FilterChips meta={meta} value={filter} onChange={setFilter} />
      {board ? (
        <Suspense fallback={<ListLoading />}>
          <BoardView meta={meta} groupBy={board} sum={search.sum} filter={filter} sort={search.sort} />
        </Suspense>
      ) : (
        <ListBody
          meta={meta}
          columns={columns}
          sort={sort}
          filter={filter}
          selection={selection}
          onSort={setSort}
          onFilter={setFilter}
          fluid={!!narrow}
          card={card}
        />
      )}
    </Stack>
  );
}

interface ListBodyProps {
  meta: ObjectMeta;
  columns: FieldMeta[];
  sort: string;
  filter: FilterNode | undefined;
  selection: ReturnType<typeof useSelection>;
  onSort: (sort: string | undefined) => void;
  onFilter: (filter: FilterNode | undefined) => void;
  fluid: boolean;
  card?: CardLayout;
}

function ListBody({ meta, columns, sort, filter, selection, onSort, onFilter, fluid, card }: ListBodyProps) {
  const search = route.useSearch();
  const objects = useObjects();
  // What the rows show: the columns, and on a phone the card's fields and its call and email numbers.
  const shown = useMemo(
    () =>
      card
        ? [...columns, ...card.fields, ...[card.call, card.email].filter((f): f is FieldMeta => f !== null)]
        : columns,
    [columns, card],
  );
  const include = useMemo(() => includesFor(meta, shown), [meta, shown]);
  const fields = useMemo(() => listFields(meta, shown), [meta, shown]);
  const compact = useMemo(() => compactIncluded(meta, objects, include), [meta, objects, include]);
  const list = useRecordList(meta.name, { sort, requestedSort: search.sort, filter, include, fields, compact });
  const putInCache = useRecordCache(meta.name);
  const { refetch } = list;
  const editable = useMemo(() => new Set(editableFields(meta).map((f) => f.name)), [meta]);
  const inlineEdit = useMemo(
    () =>
      can(meta, 'update')
        ? {
            canEdit: (f: FieldMeta) => editable.has(f.name) && f.type !== 'json',
            onSaved: putInCache,
            onStale: () => void refetch(),
          }
        : undefined,
    [meta, editable, putInCache, refetch],
  );
  const selectable = can(meta, 'update') || can(meta, 'delete') || canAddToSegment(meta, objects);

  if (list.isPending) return <ListLoading />;
  if (list.isError && list.window.count === 0)
    return (
      <ListError
        error={list.error}
        onRetry={() => void list.refetch()}
        onClear={filter ? () => onFilter(undefined) : undefined}
      />
    );
  return (
    <>
      {selectable && (
        <BulkActionBar
          meta={meta}
          selection={selection}
          filter={filter}
          hasMore={!list.window.complete}
          loaded={list.window.loaded.length}
        />
      )}
      {list.window.count === 0 ? (
        <ListEmpty meta={meta} filtered={!!filter} onClear={() => onFilter(undefined)} />
      ) : (
        <RecordTable
          meta={meta}
          columns={columns}
          list={list.window}
          sort={sort}
          onSortChange={onSort}
          loading={list.loading}
          onLoad={list.load}
          fluid={fluid}
          selection={selectable ? selection : undefined}
          inlineEdit={inlineEdit}
          card={card}
        />
      )}
    </>
  );
}
