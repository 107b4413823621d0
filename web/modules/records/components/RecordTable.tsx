import { Center, Loader, Text } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { Icon } from '../../../ui/Icon';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';
import type { Selection } from '../hooks/useSelection';
import { recordTitle } from '../utils/fields';
import { sortKeys } from '../utils/sort';
import classes from './RecordTable.module.css';
import { type InlineEdit, SelectAllCell, SelectRowCell, TableState, ValueCell } from './RecordTableCells';

const ROW_HEIGHT = 44;

interface Props {
  meta: ObjectMeta;
  columns: FieldMeta[];
  rows: RecordData[];
  /** The sort in effect (the API's `sort` syntax). */
  sort: string;
  onSortChange: (sort: string | undefined) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** Share the width between the columns instead of fixed widths (phones, with few columns). */
  fluid?: boolean;
  /** Ticked rows, for bulk actions (a checkbox column when given). */
  selection?: Selection;
  /** Edit cells in place (double-click or Enter) when given: what to do with the saved record. */
  inlineEdit?: InlineEdit;
}

const SELECT_COLUMN = '__select__';

const widthOf = (f: FieldMeta, isTitle: boolean) => {
  if (isTitle) return 220;
  if (f.type === 'boolean') return 120;
  if (f.type === 'address') return 260;
  if (f.type === 'email' || f.type === 'url' || f.type === 'money') return 210;
  return 170;
};

/**
 * A virtualised table: only the rows in view (plus a few) are in the DOM, so lists of
 * any length scroll smoothly; scrolling near the end asks for the next page.
 */
export function RecordTable({
  meta,
  columns,
  rows,
  sort,
  onSortChange,
  hasMore,
  loadingMore,
  onLoadMore,
  fluid = false,
  selection,
  inlineEdit,
}: Props) {
  const scrollRef = useRef<HTMLElement>(null);
  const titleField = columns[0]?.name;
  const [primary] = sortKeys(sort);

  const hasSelection = !!selection;
  const columnDefs = useMemo<ColumnDef<RecordData>[]>(
    () => [
      ...(hasSelection
        ? [
            {
              id: SELECT_COLUMN,
              size: 52,
              enableSorting: false,
              header: () => <SelectAllCell />,
              cell: ({ row }) => <SelectRowCell meta={meta} record={row.original} />,
            } satisfies ColumnDef<RecordData>,
          ]
        : []),
      ...columns.map(
        (f): ColumnDef<RecordData> => ({
          id: f.name,
          header: f.label,
          accessorFn: (r) => r[f.name],
          size: widthOf(f, f.name === titleField),
          enableSorting: f.sortable,
          cell: ({ row }) =>
            f.name === titleField ? (
              <Link
                to="/$object/$id"
                params={{ object: meta.name, id: row.original.id }}
                className={classes.titleLink}
                data-testid="record-link"
              >
                {recordTitle(meta, row.original)}
              </Link>
            ) : (
              <ValueCell meta={meta} field={f} record={row.original} />
            ),
        }),
      ),
    ],
    [columns, meta, titleField, hasSelection],
  );
  const tableState = useMemo(() => ({ rows, selection, inlineEdit }), [rows, selection, inlineEdit]);

  const table = useReactTable({
    data: rows,
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
    manualSorting: true,
    state: { sorting: primary ? [{ id: primary.field, desc: primary.desc }] : [] },
  });

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 20) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, rows.length, onLoadMore]);

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

  const tableRows = table.getRowModel().rows;
  return (
    <TableState.Provider value={tableState}>
      {/* Focusable, so the keyboard scrolls it (arrows, Page Down, End) even after the row that had focus scrolled away. */}
      <section
        ref={scrollRef}
        className={classes.scroller}
        data-testid="record-table"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1).
        tabIndex={0}
        aria-label={`${meta.labelPlural}: scroll with the arrow keys, Page Down or End`}
      >
        <table className={classes.table} aria-label={meta.labelPlural} aria-rowcount={hasMore ? -1 : rows.length + 1}>
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
              const row = tableRows[item.index];
              if (!row) return null;
              return (
                <tr
                  aria-rowindex={item.index + 2}
                  key={row.id}
                  className={classes.row}
                  data-testid="record-row"
                  data-selected={selection?.ids.has(row.id) || undefined}
                  style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)` }}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td
                      key={cell.id}
                      className={
                        cell.column.id === SELECT_COLUMN ? `${classes.cell} ${classes.selectCell}` : classes.cell
                      }
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
        {loadingMore && (
          <Center py="sm">
            <Loader size="sm" aria-label="Loading more" />
          </Center>
        )}
        {!hasMore && rows.length > 50 && (
          <Text size="xs" c="dimmed" ta="center" py="xs">
            End of the list · {rows.length.toLocaleString()} records
          </Text>
        )}
      </section>
    </TableState.Provider>
  );
}
