import { Badge, type BadgeProps } from '@mantine/core';
import type { ReactNode } from 'react';
import classes from './ToneBadge.module.css';

export type Tone = 'green' | 'blue' | 'gray' | 'red' | 'orange';

/** A small status badge in one of a few tones, readable (AA contrast) in both colour schemes. */
export function ToneBadge({
  tone,
  children,
  ...rest
}: { tone: Tone; children: ReactNode } & Omit<BadgeProps, 'color' | 'variant'> & { 'data-testid'?: string }) {
  return (
    <Badge variant="default" className={classes.badge} data-tone={tone} {...rest}>
      {children}
    </Badge>
  );
}
