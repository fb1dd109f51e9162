// The tRPC client and the TanStack Query options proxy. Only the router's
// *type* crosses from the agent: nothing of the agent is bundled.
import { QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../../agent/src/trpc/router';
import type { Issue, MessageParams } from '@lvs-console/shared';
import { localIssue, localNestedMessage } from './error-text';
import { consoleHeaders, fetchWithBootAnswers } from './boot-requests';

export type { AppRouter };
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Keep showing the last data while the agent is away; the banner says how old it is.
      retry: (failureCount, error) => !isAuthError(error) && failureCount < 1,
      refetchOnWindowFocus: false,
      staleTime: 500,
    },
  },
});

const SNAPSHOT_PATHS: ReadonlySet<string> = new Set(['state.get', 'state.since']);

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      // EventSource sends the session cookie; no token ever goes in the URL.
      true: httpSubscriptionLink({ url: '/trpc' }),
      false: splitLink({
        // The snapshot, which every screen waits for, travels alone: a batch is
        // answered when its slowest call is (health.status of 1,000 services
        // takes the agent a good part of a second), and the list would wait for it.
        condition: (op) => SNAPSHOT_PATHS.has(op.path),
        true: httpLink({ url: '/trpc', headers: consoleHeaders, fetch: fetchWithBootAnswers }),
        false: httpBatchLink({ url: '/trpc', headers: consoleHeaders, fetch: fetchWithBootAnswers, maxItems: 10 }),
      }),
    }),
  ],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

/** The agent said who we are not: no token, an expired one, or a viewer attempting a change. */
export function isAuthError(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';
}

/** The desired state moved on since the revision the change was based on. */
export function isConflict(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { domainCode?: string } | undefined)?.domainCode === 'CONFLICT';
}

/** No answer at all (connection refused, proxy 502): the agent is unreachable. */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return error instanceof TypeError;
  const data = error.data as { httpStatus?: number } | undefined;
  return !data || data.httpStatus === 502 || data.httpStatus === 503 || data.httpStatus === 504;
}

/** The agent's message, as a person should read it: in the console's language where the message has an id. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { messageId?: unknown; params?: MessageParams; issues?: Issue[] } | undefined;
    if (data?.messageId) return localNestedMessage(data.messageId, data.params, error.message);
    const issues = data?.issues ?? [];
    if (issues.some((issue) => issue.messageId))
      return issues.map((issue) => (issue.path ? `${issue.path}: ${localIssue(issue)}` : localIssue(issue))).join('\n');
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
