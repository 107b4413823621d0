import { Button } from '@mantine/core';

interface Props {
  mode: 'list' | 'board';
  onChange: (mode: 'list' | 'board') => void;
}

/** Switches a list between its table and its board (for objects with a select field). */
export function ViewModeToggle({ mode, onChange }: Props) {
  return (
    <Button.Group aria-label="Show as">
      {(['list', 'board'] as const).map((m) => (
        <Button
          key={m}
          h={40}
          px="sm"
          variant={mode === m ? 'filled' : 'default'}
          aria-pressed={mode === m}
          onClick={() => onChange(m)}
        >
          {m === 'list' ? 'List' : 'Board'}
        </Button>
      ))}
    </Button.Group>
  );
}
