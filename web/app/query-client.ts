import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, isUnauthenticated } from '../lib/http';

let onSignedOut: () => void = () => {};

/** Called when any request finds the session gone (expired, signed out elsewhere). */
export function setSignedOutHandler(fn: () => void) {
  onSignedOut = fn;
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (err) => {
      if (isUnauthenticated(err)) onSignedOut();
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // Client errors (4xx) will not change on retry; network and server errors might.
      retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
});
