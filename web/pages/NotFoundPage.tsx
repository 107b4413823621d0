import { Container, Stack, Text, Title } from '@mantine/core';
import { AnchorLink } from '../ui/links';

export function NotFoundPage() {
  return (
    <Container size="sm" py="xl">
      <Stack>
        <Title order={1}>Page not found</Title>
        <Text>There is nothing at this address.</Text>
        <AnchorLink to="/">Go to the start page</AnchorLink>
      </Stack>
    </Container>
  );
}
