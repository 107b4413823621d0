import { Box, UnstyledButton } from '@mantine/core';
import type { Stage } from '../api/sales.api';
import classes from './StagePath.module.css';

/**
 * The stages of the pipeline as a path: done, current, ahead. Each stage is a button
 * that moves the opportunity there (when `onMove` is given).
 */
export function StagePath({
  stages,
  current,
  onMove,
  busy,
}: {
  stages: Stage[];
  current: string | null;
  onMove?: (stageId: string) => void;
  busy?: boolean;
}) {
  const here = stages.find((s) => s.id === current);
  const open = stages.filter((s) => s.kind === 'open');
  const at = here ? (here.kind === 'open' ? open.indexOf(here) : open.length) : -1;
  return (
    <Box component="ol" className={classes.path} aria-label="Stages" data-testid="stage-path">
      {stages.map((s) => {
        const isCurrent = s.id === current;
        const state = isCurrent
          ? s.kind === 'lost'
            ? 'lost'
            : s.kind === 'won'
              ? 'won'
              : 'current'
          : s.kind === 'open' && open.indexOf(s) < at
            ? 'done'
            : 'ahead';
        return (
          <li key={s.id} className={classes.step}>
            <UnstyledButton
              className={classes.button}
              data-state={state}
              aria-current={isCurrent ? 'step' : undefined}
              disabled={!onMove || isCurrent || busy}
              onClick={() => onMove?.(s.id)}
              title={`${s.name} (${s.probability} %)`}
            >
              {s.name}
            </UnstyledButton>
          </li>
        );
      })}
    </Box>
  );
}
