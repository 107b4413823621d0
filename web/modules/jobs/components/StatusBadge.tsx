import { Badge } from '@mantine/core';

/** Shades whose white text passes WCAG AA (Mantine's light badges do not). */
const SHADE = {
  ok: 'teal.9',
  bad: 'red.9',
  waiting: 'blue.9',
  busy: 'violet.9',
  held: 'grape.9',
  off: 'gray.7',
} as const;

const KIND: Record<string, keyof typeof SHADE> = {
  completed: 'ok',
  succeeded: 'ok',
  sent: 'ok',
  failed: 'bad',
  queued: 'waiting',
  pending: 'waiting',
  running: 'busy',
  held: 'held',
  suppressed: 'off',
  cancelled: 'off',
};

/** A job, delivery or mail status as a coloured badge. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={SHADE[KIND[status] ?? 'off']} variant="filled">
      {status}
    </Badge>
  );
}
