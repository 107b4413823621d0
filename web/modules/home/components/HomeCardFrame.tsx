import { Card, Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The frame every home card shares: a titled section, with an optional link beside the title. */
export function HomeCardFrame({
  id,
  title,
  action,
  children,
}: {
  id: string;
  title: string;
  action?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card
      withBorder
      radius="md"
      padding="md"
      component="section"
      aria-labelledby={`home-${id}`}
      data-testid={`home-card-${id}`}
    >
      <Group justify="space-between" align="center" mb="xs" wrap="nowrap">
        <Title order={2} fz="h4" id={`home-${id}`}>
          {title}
        </Title>
        {action}
      </Group>
      {children}
    </Card>
  );
}
