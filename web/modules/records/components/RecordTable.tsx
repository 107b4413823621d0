import { Center, Loader, Text, VisuallyHidden } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, type ReactNode, useEffect, useMemo, useRef } from 'react';
import { Icon } from '../../../ui/Icon';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';
import type { Selection } from '../hooks/useSelection';
import { type CardLayout, recordTitle } from '../utils/fields';
import { type ListWindow, type Load, nextLoad } from '../utils/list-window';
import { sortKeys } from '../utils/sort';
import { RecordCard } from './RecordCard';
import classes from './RecordTable.module.css';
import { type InlineEdit, LoadedRows, SelectAllCell, SelectRowCell, TableState, ValueCell } from './RecordTableCells';

const ROW_HEIGHT = 44;
/** A phone card's height (RecordTable.module.css .cardRow). */
const CARD_HEIGHT = 104;

interface Props {
  meta: ObjectMeta;
  columns: FieldMeta[];
  /** The rows: loaded records, and placeholders for the ones still to load. */
  list: ListWindow;
  /** The sort in effect (the API's `sort` syntax). */
  sort: string;
  onSortChange: (sort: string | undefined) => void;
  /** A page is on its way. */
  loading: boolean;
  /** Asks for the next page from the top or from the bottom of the list. */
  onLoad: (end: Load) => void;
  /** Share the width between the columns instead of fixed widths (phones, with few columns). */
  fluid?: boolean;
  /** Ticked rows, for bulk actions (a checkbox column when given). */
  selection?: Selection;
  /** Edit cells in place (double-click or Enter) when given: what to do with the saved record. */
  inlineEdit?: InlineEdit;
  /** Phones: each record as a card with these fields and actions; the columns stay as the sort bar. */
  card?: CardLayout;
}

const SELECT_COLUMN = '__select__';
const CARD_COLUMN = '__card__';
const NO_ROWS: RecordData[] = [];

const widthOf = (f: FieldMeta, isTitle: boolean) => {
  if (isTitle) return 220;
  if (f.type === 'boolean') return 120;
  if (f.type === 'address') return 260;
  if (f.type === 'email' || f.type === 'url' || f.type === 'money') return 210;
  return 170;
};

/** One body column: its id, cell class and how it draws a record. */
interface BodyColumn {
  id: string;
  className?: string;
  /** How many header columns the cell is under (a phone card spans the sort bar's columns). */
  colSpan?: number;
  render: (record: RecordData) => ReactNode;
}

interface RowProps {
  index: number;
  start: number;
  template: string;
  record: RecordData | undefined;
  cells: BodyColumn[];
  selected: boolean;
  /** The row's class: a table row, or a card's (taller). */
  rowClass: string | undefined;
}

/**
 * One row, redrawn only when its own record, place or ticked state changes: pages
 * arriving (or the rows around it scrolling) leave the rows on screen alone.
 */
const RecordRow = memo(function RecordRow({ index, start, template, record, cells, selected, rowClass }: RowProps) {
  const style = { gridTemplateColumns: template, transform: `translateY(${start}px)` };
  if (!record) {
    return (
      <tr
        aria-rowindex={index + 2}
        aria-busy="true"
        className={rowClass}
        data-testid="record-row-placeholder"
        style={style}
      >
        <td className={classes.placeholder}>
          <span className={classes.placeholderBar} />
          <span className={VisuallyHidden.classes.root}>Loading</span>
        </td>
      </tr>
    );
  }
  return (
    <tr
      aria-rowindex={index + 2}
      className={rowClass}
      data-testid="record-row"
      data-selected={selected || undefined}
      style={style}
    >
      {cells.map((c) => (
        <td key={c.id} className={c.className} colSpan={c.colSpan}>
          {c.render(record)}
        </td>
      ))}
    </tr>
  );
});

/**
 * A virtualised table: only the rows in view (plus a few) are in the DOM, so lists of
 * any length scroll smoothly. With the list's total known it is as long as the list from
 * the start; rows come from both ends of the list as they near the screen.
 */
export function RecordTable({
  meta,
  columns,
  list,
  sort,
  onSortChange,
  loading,
  onLoad,
  fluid = false,
  selection,
  inlineEdit,
  card,
}: Props) {
  const scrollRef = useRef<HTMLElement>(null);
  const titleField = columns[0]?.name;
  const [primary] = sortKeys(sort);

  const hasSelection = !!selection;
  const body = useMemo<BodyColumn[]>(
    () => [
      ...(hasSelection
        ? [
            {
              id: SELECT_COLUMN,
              className: `${classes.cell} ${classes.selectCell}`,
              render: (r: RecordData) => <SelectRowCell meta={meta} record={r} />,
            },
          ]
        : []),
      ...(card
        ? [
            {
              id: CARD_COLUMN,
              className: classes.cardCell,
              colSpan: columns.length,
              render: (r: RecordData) => <RecordCard meta={meta} record={r} layout={card} />,
            },
          ]
        : []),
      ...(card ? [] : columns).map(
        (f): BodyColumn => ({
          id: f.name,
          className: classes.cell,
          render: (r) =>
            f.name === titleField ? (
              <Link
                to="/$object/$id"
                params={{ object: meta.name, id: r.id }}
                className={classes.titleLink}
                data-testid="record-link"
              >
                {recordTitle(meta, r)}
              </Link>
            ) : (
              <ValueCell meta={meta} field={f} record={r} />
            ),
        }),
      ),
    ],
    [columns, meta, titleField, hasSelection, card],
  );
  // The table model draws the header only: rows are drawn from the list window, so a
  // page arriving never rebuilds a model of every loaded record.
  const columnDefs = useMemo<ColumnDef<RecordData>[]>(
    () => [
      ...(hasSelection ? [{ id: SELECT_COLUMN, size: 52, enableSorting: false, header: () => <SelectAllCell /> }] : []),
      ...columns.map(
        (f): ColumnDef<RecordData> => ({
          id: f.name,
          header: f.label,
          // Sortable columns need an accessor in TanStack Table, though it never reads rows here.
          accessorFn: (r) => r[f.name],
          size: widthOf(f, f.name === titleField),
          enableSorting: f.sortable,
        }),
      ),
    ],
    [columns, titleField, hasSelection],
  );
  const tableState = useMemo(() => ({ selection, inlineEdit }), [selection, inlineEdit]);

  const table = useReactTable({
    data: NO_ROWS,
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    state: { sorting: primary ? [{ id: primary.field, desc: primary.desc }] : [] },
  });

  const virtualizer = useVirtualizer({
    count: list.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (card ? CARD_HEIGHT : ROW_HEIGHT),
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  const scrolling = virtualizer.isScrolling;
  useEffect(() => {
    if (loading) return;
    const end = nextLoad(list, first, last, { scrolling });
    if (end) onLoad(end);
  }, [list, first, last, scrolling, loading, onLoad]);
  // Busy while rows in and around the view are loading or still to load (far from both ends
  // they load once the scrolling stops): the rows on screen are about to change.
  const busy = loading || nextLoad(list, first, last) !== null;

  const template = fluid
    ? table
        .getAllLeafColumns()
        .map((c, i) =>
          c.id === SELECT_COLUMN ? '52px' : i === (selection ? 1 : 0) ? 'minmax(0, 3fr)' : 'minmax(0, 2fr)',
        )
        .join(' ')
    : table
        .getAllLeafColumns()
        .map((c, i, all) => (i === all.length - 1 ? `minmax(${c.getSize()}px, 1fr)` : `${c.getSize()}px`))
        .join(' ');
  const width = fluid ? 0 : table.getTotalSize();

  const toggleSort = (field: string) => {
    if (primary?.field !== field) onSortChange(field);
    else if (!primary.desc) onSortChange(`-${field}`);
    else onSortChange(undefined);
  };

  return (
    <TableState.Provider value={tableState}>
      <LoadedRows.Provider value={list.loaded}>
        {/* Focusable, so the keyboard scrolls it (arrows, Page Down, End) even after the row that had focus scrolled away. */}
        <section
          ref={scrollRef}
          className={classes.scroller}
          data-testid="record-table"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1).
          tabIndex={0}
          aria-label={`${meta.labelPlural}: scroll with the arrow keys, Page Down or End`}
        >
          <table
            className={classes.table}
            aria-label={meta.labelPlural}
            aria-rowcount={list.sized ? list.count + 1 : -1}
            aria-busy={busy}
          >
            <thead className={classes.head} style={{ minWidth: width }}>
              {table.getHeaderGroups().map((group) => (
                <tr aria-rowindex={1} key={group.id} className={classes.row} style={{ gridTemplateColumns: template }}>
                  {group.headers.map((h) => {
                    const sorted = primary?.field === h.id ? (primary.desc ? 'descending' : 'ascending') : undefined;
                    return (
                      <th
                        aria-sort={sorted ?? 'none'}
                        key={h.id}
                        className={
                          h.id === SELECT_COLUMN ? `${classes.headerCell} ${classes.selectCell}` : classes.headerCell
                        }
                        scope="col"
                      >
                        {h.column.getCanSort() ? (
                          <button
                            type="button"
                            className={classes.sortButton}
                            onClick={() => toggleSort(h.id)}
                            title={`Sort by ${h.column.columnDef.header as string}`}
                          >
                            <span>{flexRender(h.column.columnDef.header, h.getContext())}</span>
                            <Icon
                              name={sorted === 'ascending' ? 'up' : sorted === 'descending' ? 'down' : 'sort'}
                              size={14}
                              opacity={sorted ? 1 : 0.35}
                            />
                          </button>
                        ) : (
                          flexRender(h.column.columnDef.header, h.getContext())
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className={classes.body} style={{ height: virtualizer.getTotalSize(), minWidth: width }}>
              {items.map((item) => {
                const record = list.at(item.index);
                return (
                  <RecordRow
                    key={record?.id ?? `placeholder-${item.index}`}
                    index={item.index}
                    start={item.start}
                    template={template}
                    record={record}
                    cells={body}
                    selected={!!record && !!selection?.ids.has(record.id)}
                    rowClass={card ? `${classes.row} ${classes.cardRow}` : classes.row}
                  />
                );
              })}
            </tbody>
          </table>
          {loading && !list.sized && (
            <Center py="sm">
              <Loader size="sm" role="status" aria-label="Loading more" />
            </Center>
          )}
          {list.complete && list.count > 50 && (
            <Text size="xs" c="dimmed" ta="center" py="xs">
              End of the list · {list.count.toLocaleString()} records
            </Text>
          )}
        </section>
      </LoadedRows.Provider>
    </TableState.Provider>
  );
}
