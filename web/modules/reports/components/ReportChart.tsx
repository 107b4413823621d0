import { Table, Text } from '@mantine/core';
import type { TReportResult } from '../api/reports.api';

export type ChartType = 'bar' | 'line' | 'pie' | 'number' | 'table';

const PALETTE = ['#228be6', '#40c057', '#fab005', '#fa5252', '#7950f2', '#15aabf', '#fd7e14', '#e64980'];

type Cell = TReportResult['rows'][number][string];

/** A cell as a number for drawing (money: its amount; several currencies: the first). */
export function numberOf(v: Cell | undefined): number {
  if (v == null || typeof v === 'boolean') return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v) || 0;
  if (Array.isArray(v)) return Number(v[0]?.amount ?? 0);
  return Number(v.amount);
}

/** A cell as text for people (money with its currency, a person or option by name). */
export function textOf(result: TReportResult, column: string, v: Cell | undefined): string {
  if (v == null) return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v)) return v.map((m) => `${m.amount} ${m.currency}`).join(' · ');
  if (typeof v === 'object') return `${Number(v.amount).toLocaleString()} ${v.currency}`;
  const labels = result.columns.find((c) => c.name === column)?.labels;
  return labels?.[String(v)] ?? (typeof v === 'number' ? v.toLocaleString() : String(v));
}

/**
 * A report's result as a chart drawn in SVG (no chart library is installed): bars, a
 * line or a pie over the first grouped field, one number, or a table. Every chart has a
 * text alternative (its table) for screen readers.
 */
export function ReportChart({
  result,
  type,
  measure,
  onPick,
}: {
  result: TReportResult;
  type: ChartType;
  measure?: string;
  /** Opens the records behind a bar, slice or point. */
  onPick?: (row: TReportResult['rows'][number]) => void;
}) {
  const pickable = (row: TReportResult['rows'][number], label: string) =>
    onPick
      ? {
          role: 'link',
          tabIndex: 0,
          'aria-label': `Open the records of ${label}`,
          style: { cursor: 'pointer' },
          onClick: () => onPick(row),
          onKeyDown: (e: { key: string }) => {
            if (e.key === 'Enter') onPick(row);
          },
        }
      : {};
  const group = result.columns.find((c) => c.role === 'group');
  const m =
    result.columns.find((c) => c.name === measure && c.role === 'measure') ??
    result.columns.find((c) => c.role === 'measure');
  if (!m) return null;
  if (type === 'number' || !group) {
    const v = result.rows[0]?.[m.name];
    return (
      <Text fz={32} fw={700} data-testid="report-number">
        {textOf(result, m.name, v)}
      </Text>
    );
  }
  const groupNames = result.columns.filter((c) => c.role === 'group').map((c) => c.name);
  const points = result.rows.map((r) => ({
    key: JSON.stringify(groupNames.map((n) => r[n] ?? null)),
    label: textOf(result, group.name, r[group.name]),
    value: numberOf(r[m.name]),
    raw: r,
  }));
  if (type === 'table' || points.length === 0) return <ResultTable result={result} />;
  const max = Math.max(1, ...points.map((p) => p.value));
  const W = 600;
  const H = 220;
  const title = `${m.label} by ${group.label.toLowerCase()}`;
  if (type === 'pie') {
    const total = points.reduce((s, p) => s + Math.max(0, p.value), 0) || 1;
    let angle = -Math.PI / 2;
    return (
      <div>
        <svg
          viewBox="0 0 220 220"
          width="100%"
          style={{ maxWidth: 260 }}
          role={onPick ? 'group' : 'img'}
          aria-label={title}
        >
          {points.map((p, i) => {
            const a = (Math.max(0, p.value) / total) * Math.PI * 2;
            const x1 = 110 + 100 * Math.cos(angle);
            const y1 = 110 + 100 * Math.sin(angle);
            angle += a;
            const x2 = 110 + 100 * Math.cos(angle);
            const y2 = 110 + 100 * Math.sin(angle);
            const d =
              a >= Math.PI * 2 - 1e-9
                ? 'M 110 10 A 100 100 0 1 1 109.99 10 Z'
                : `M 110 110 L ${x1} ${y1} A 100 100 0 ${a > Math.PI ? 1 : 0} 1 ${x2} ${y2} Z`;
            return (
              <path key={p.key} d={d} fill={PALETTE[i % PALETTE.length]} {...pickable(p.raw, p.label)}>
                <title>{`${p.label}: ${textOf(result, m.name, p.raw[m.name])}`}</title>
              </path>
            );
          })}
        </svg>
        <Legend
          items={points.map((p) => ({ key: p.key, label: `${p.label}: ${textOf(result, m.name, p.raw[m.name])}` }))}
        />
      </div>
    );
  }
  const step = W / points.length;
  return (
    <svg
      viewBox={`0 0 ${W} ${H + 40}`}
      width="100%"
      role={onPick ? 'group' : 'img'}
      aria-label={title}
      data-testid="report-chart"
    >
      {type === 'bar' &&
        points.map((p, i) => {
          const h = (Math.max(0, p.value) / max) * H;
          return (
            <g key={p.key}>
              <rect
                x={i * step + step * 0.15}
                y={H - h}
                width={step * 0.7}
                height={h}
                fill={PALETTE[0]}
                {...pickable(p.raw, p.label)}
              >
                <title>{`${p.label}: ${textOf(result, m.name, p.raw[m.name])}`}</title>
              </rect>
              <text x={i * step + step / 2} y={H + 16} fontSize="11" textAnchor="middle">
                {p.label.length > 14 ? `${p.label.slice(0, 13)}…` : p.label}
              </text>
            </g>
          );
        })}
      {type === 'line' && (
        <>
          <polyline
            fill="none"
            stroke={PALETTE[0]}
            strokeWidth="2"
            points={points.map((p, i) => `${i * step + step / 2},${H - (p.value / max) * H}`).join(' ')}
          />
          {points.map((p, i) => (
            <g key={p.key}>
              <circle
                cx={i * step + step / 2}
                cy={H - (p.value / max) * H}
                r="4"
                fill={PALETTE[0]}
                {...pickable(p.raw, p.label)}
              >
                <title>{`${p.label}: ${textOf(result, m.name, p.raw[m.name])}`}</title>
              </circle>
              {(points.length <= 12 || i % Math.ceil(points.length / 12) === 0) && (
                <text x={i * step + step / 2} y={H + 16} fontSize="11" textAnchor="middle">
                  {p.label}
                </text>
              )}
            </g>
          ))}
        </>
      )}
    </svg>
  );
}

function Legend({ items }: { items: { key: string; label: string }[] }) {
  return (
    <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {items.map(({ key, label: l }, i) => (
        <li key={key}>
          <span
            style={{
              display: 'inline-block',
              width: 10,
              height: 10,
              background: PALETTE[i % PALETTE.length],
              marginRight: 6,
            }}
          />
          {l}
        </li>
      ))}
    </ul>
  );
}

/**
 * The result as a table: one row per group, one column per grouped field and measure. A
 * wide table scrolls sideways; its scrolling area takes the keyboard focus so it can be
 * scrolled without a mouse.
 */
export function ResultTable({ result }: { result: TReportResult }) {
  return (
    <Table.ScrollContainer minWidth={300} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
      <Table striped data-testid="report-table">
        <Table.Thead>
          <Table.Tr>
            {result.columns.map((c) => (
              <Table.Th key={c.name}>{c.label}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.rows.map((r) => (
            <Table.Tr key={JSON.stringify(r)}>
              {result.columns.map((c) => (
                <Table.Td key={c.name}>{textOf(result, c.name, r[c.name])}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
