import { Button } from '@mantine/core';

/**
 * The "not" switch of a filter condition or group: a toggle button (aria-pressed), so
 * it is one tap or one Space press, and reads "Not, pressed" to a screen reader.
 */
export function NotToggle({ pressed, onToggle, what }: { pressed: boolean; onToggle: () => void; what: string }) {
  return (
    <Button
      variant={pressed ? 'filled' : 'default'}
      color={pressed ? 'red' : undefined}
      px="xs"
      miw={48}
      aria-pressed={pressed}
      title={pressed ? `Matches when ${what} does not hold` : `Reverse ${what}`}
      onClick={onToggle}
    >
      Not
    </Button>
  );
}
