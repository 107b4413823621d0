import { Center, Loader } from '@mantine/core';

/** Shown while a page's code or data loads. */
export function PageLoader() {
  return (
    <Center h="60vh" aria-busy="true">
      <Loader role="status" aria-label="Loading" />
    </Center>
  );
}
