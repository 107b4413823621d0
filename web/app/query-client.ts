import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, isUnauthenticated } from '../lib/http';

let onSignedOut: () => void = () => {};
let onEnrolmentRequired: () => void = () => {};

/** Called when any request finds the session gone (expired, signed out elsewhere). */
export function setSignedOutHandler(fn: () => void) {
  onSignedOut = fn;
}

/** Called when a request is refused because the workspace requires two-factor sign-in the user has not set up. */
export function setEnrolmentRequiredHandler(fn: () => void) {
  onEnrolmentRequired = fn;
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (err) => {
      if (isUnauthenticated(err)) onSignedOut();
      if (err instanceof ApiError && err.code === 'two_factor_enrolment_required') onEnrolmentRequired();
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
