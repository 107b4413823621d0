import { SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useSuspenseQuery } from '@tanstack/react-query';
import { Suspense, useMemo } from 'react';
import { meQuery } from '../modules/auth/api/auth.api';
import { type HomeContext, homeCardsFor } from '../modules/home/home-cards';
import { useNavigation } from '../modules/shell/hooks/useNavigation';

const today = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });

/** The start page: the cards the caller's role needs first (modules/home/home-cards.ts). */
export function HomePage() {
  const me = useSuspenseQuery(meQuery).data;
  const { ctx: nav } = useNavigation();
  const first = me.user?.name.split(/\s+/)[0];
  const ctx: HomeContext = useMemo(() => ({ ...nav, userId: me.user?.id ?? null }), [nav, me.user]);
  const cards = homeCardsFor(ctx);
  return (
    <Stack gap="md" maw={1200}>
      <div>
        <Title order={1} fz="h2">
          {first ? `Welcome back, ${first}` : 'Home'}
        </Title>
        <Text c="dimmed">
          {today.format(new Date())} · {me.workspace.name}
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" data-testid="home-cards" data-role={me.role}>
        {cards.map((c) => (
          <Suspense key={c.key} fallback={null}>
            <c.component ctx={ctx} />
          </Suspense>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
