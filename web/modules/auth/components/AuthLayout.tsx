import { Box, Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ThemeToggle } from '../../shell/components/ThemeToggle';

/** The frame of the signed-out pages: the brand, a card, and the theme switch. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box mih="100dvh" bg="var(--mantine-color-body)" pos="relative">
      <Box pos="absolute" top={12} right={12}>
        <ThemeToggle />
      </Box>
      <Center mih="100dvh" p="md" component="main">
        <Stack w="100%" maw={420} gap="lg">
          <Stack gap={4} align="center">
            <Text fw={800} fz={28} c="blue" component="div">
              Rapport
            </Text>
            <Title order={1} fz="h3">
              {title}
            </Title>
          </Stack>
          <Paper withBorder shadow="sm" p="lg" radius="md">
            {children}
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
