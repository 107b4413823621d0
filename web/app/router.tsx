import type { QueryClient } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import type { FilterNode } from '../../common/filter-ops';
import { isUnauthenticated } from '../lib/http';
import { type Me, meQuery } from '../modules/auth/api/auth.api';
import { objectsQuery } from '../modules/objects/api/objects.api';
import { clearOfflineData } from '../modules/offline/clear-offline-data';
import { parseFilterSearch } from '../modules/records/utils/filter-search';
import { parseDealsSearch } from '../modules/sales/utils/deals-search';
import { PageError } from './PageError';
import { PageLoader } from './PageLoader';
import { queryClient, setEnrolmentRequiredHandler, setSignedOutHandler } from './query-client';

/** Search params of a list view: sort (`-createdAt`) and the filter tree, so views can be linked. */
export interface ListSearch {
  sort?: string;
  filter?: FilterNode;
  /** The saved view in use, and the board's group-by and total fields (a board when `board` is set). */
  view?: string;
  board?: string;
  sum?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: Outlet,
  notFoundComponent: lazyRouteComponent(() => import('../pages/NotFoundPage'), 'NotFoundPage'),
});

const authSearch = (s: Record<string, unknown>): { redirect?: string } => ({
  redirect: typeof s.redirect === 'string' && s.redirect.startsWith('/') ? s.redirect : undefined,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-in',
  validateSearch: authSearch,
  component: lazyRouteComponent(() => import('../pages/SignInPage'), 'SignInPage'),
});

const signUpRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-up',
  component: lazyRouteComponent(() => import('../pages/SignUpPage'), 'SignUpPage'),
});

const acceptInviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'accept-invite',
  validateSearch: (s: Record<string, unknown>): { token?: string } => ({
    token: typeof s.token === 'string' ? s.token : undefined,
  }),
  component: lazyRouteComponent(() => import('../pages/AcceptInvitePage'), 'AcceptInvitePage'),
});

const tokenSearch = (s: Record<string, unknown>): { token?: string } => ({
  token: typeof s.token === 'string' ? s.token : undefined,
});

const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'forgot-password',
  component: lazyRouteComponent(() => import('../pages/ForgotPasswordPage'), 'ForgotPasswordPage'),
});

const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'reset-password',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('../pages/ResetPasswordPage'), 'ResetPasswordPage'),
});

const verifyEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'verify-email',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('../pages/VerifyEmailPage'), 'VerifyEmailPage'),
});

/** Signed in, but the workspace requires two-factor sign-in first: set it up (nothing else works until then). */
const twoFactorSetupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'two-factor-setup',
  beforeLoad: async ({ context, location }) => {
    try {
      await context.queryClient.ensureQueryData(meQuery);
    } catch (err) {
      if (isUnauthenticated(err)) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
      throw err;
    }
  },
  component: lazyRouteComponent(() => import('../pages/TwoFactorSetupPage'), 'TwoFactorSetupPage'),
});

/** Everything behind sign-in: checks the session first, and sends strangers to /sign-in. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: '_app',
  beforeLoad: async ({ context, location }) => {
    let me: Me | undefined;
    try {
      me = await context.queryClient.ensureQueryData(meQuery);
    } catch (err) {
      if (isUnauthenticated(err)) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
      throw err;
    }
    if (me?.twoFactor?.required && !me.twoFactor.enabled) throw redirect({ to: '/two-factor-setup' });
  },
  loader: ({ context }) => context.queryClient.ensureQueryData(objectsQuery),
  component: lazyRouteComponent(() => import('../modules/shell/components/AppLayout'), 'AppLayout'),
});

const homeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  component: lazyRouteComponent(() => import('../pages/HomePage'), 'HomePage'),
});

const myDayRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'my-day',
  component: lazyRouteComponent(() => import('../pages/MyDayPage'), 'MyDayPage'),
});

const feedRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'feed',
  component: lazyRouteComponent(() => import('../pages/FeedPage'), 'FeedPage'),
});

const scoringRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'marketing/scoring',
  component: lazyRouteComponent(() => import('../pages/ScoringPage'), 'ScoringPage'),
});

const mqlQueueRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'marketing/mql-queue',
  component: lazyRouteComponent(() => import('../pages/MqlQueuePage'), 'MqlQueuePage'),
});

const knowledgeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'knowledge',
  component: lazyRouteComponent(() => import('../pages/KnowledgePage'), 'KnowledgePage'),
});

const articleEditorRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'knowledge/$id',
  component: lazyRouteComponent(() => import('../pages/KnowledgePage'), 'ArticleEditorPage'),
});

const ticketQueuesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'service/queues',
  component: lazyRouteComponent(() => import('../pages/ServiceDeskPages'), 'TicketQueuesPage'),
});

const macrosRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'service/macros',
  component: lazyRouteComponent(() => import('../pages/ServiceDeskPages'), 'MacrosPage'),
});

const slaPoliciesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'service/sla-policies',
  component: lazyRouteComponent(() => import('../pages/ServiceDeskPages'), 'SlaPoliciesPage'),
});

const chatRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'chat',
  component: lazyRouteComponent(() => import('../pages/ChatPage'), 'ChatPage'),
});

const chatDeepLinkRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'chat/$id',
  component: lazyRouteComponent(() => import('../pages/ChatPage'), 'ChatDeepLinkPage'),
});

const socialRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'social',
  component: lazyRouteComponent(() => import('../pages/SocialPage'), 'SocialPage'),
});

const socialDashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'social/dashboard',
  component: lazyRouteComponent(() => import('../pages/SocialPage'), 'SocialDashboardPage'),
});

const contactCentreRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'contact-centre',
  component: lazyRouteComponent(() => import('../pages/ContactCentrePage'), 'ContactCentrePage'),
});

const calendarRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'calendar',
  component: lazyRouteComponent(() => import('../pages/CalendarPage'), 'CalendarPage'),
});

const mapRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'map',
  validateSearch: (s: Record<string, unknown>): { object: string; filter?: FilterNode } => ({
    object: typeof s.object === 'string' && s.object ? s.object : 'accounts',
    filter: parseFilterSearch(s.filter),
  }),
  component: lazyRouteComponent(() => import('../pages/MapPage'), 'MapPage'),
});

const nearMeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'near-me',
  component: lazyRouteComponent(() => import('../pages/MapPage'), 'NearMePage'),
});

const listRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '$object',
  validateSearch: (s: Record<string, unknown>): ListSearch => ({
    sort: typeof s.sort === 'string' && s.sort ? s.sort : undefined,
    filter: parseFilterSearch(s.filter),
    view: str(s.view),
    board: str(s.board),
    sum: str(s.sum),
  }),
  component: lazyRouteComponent(() => import('../pages/ObjectListPage'), 'ObjectListPage'),
});

const createRecordRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '$object/new',
  validateSearch: (s: Record<string, unknown>): { prefill?: Record<string, string> } => ({
    prefill: isStringRecord(s.prefill) ? s.prefill : undefined,
  }),
  component: lazyRouteComponent(() => import('../pages/RecordCreatePage'), 'RecordCreatePage'),
});

const recordRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '$object/$id',
  component: lazyRouteComponent(() => import('../pages/RecordPage'), 'RecordPage'),
});

const editRecordRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '$object/$id/edit',
  component: lazyRouteComponent(() => import('../pages/RecordEditPage'), 'RecordEditPage'),
});

/** Administration: one route; its pages are the list in web/modules/admin/admin-pages.ts. */
const adminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'admin/$',
  component: lazyRouteComponent(() => import('../modules/admin/components/AdminLayout'), 'AdminLayout'),
});

const pipelineRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'pipeline',
  validateSearch: (s: Record<string, unknown>): { pipeline?: string } => ({
    pipeline: typeof s.pipeline === 'string' && s.pipeline ? s.pipeline : undefined,
  }),
  component: lazyRouteComponent(() => import('../pages/PipelinePage'), 'PipelinePage'),
});

const dealsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'deals',
  validateSearch: parseDealsSearch,
  component: lazyRouteComponent(() => import('../pages/DealsPage'), 'DealsPage'),
});

const myStaffEntryRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'me',
  component: lazyRouteComponent(() => import('../pages/MyStaffEntryPage'), 'MyStaffEntryPage'),
});

const sequencesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'marketing/sequences',
  component: lazyRouteComponent(() => import('../modules/sequences/components/SequencesPage'), 'SequencesPage'),
});
const newSequenceRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'marketing/sequences/new',
  component: lazyRouteComponent(() => import('../modules/sequences/components/SequencePage'), 'NewSequencePage'),
});
const sequenceRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'marketing/sequences/$id',
  component: lazyRouteComponent(() => import('../modules/sequences/components/SequencePage'), 'SequencePage'),
});
const workflowsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'workflows',
  component: lazyRouteComponent(() => import('../modules/workflows/components/WorkflowsPage'), 'WorkflowsPage'),
});
const newWorkflowRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'workflows/new',
  component: lazyRouteComponent(() => import('../modules/workflows/components/WorkflowPage'), 'NewWorkflowPage'),
});
const workflowRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'workflows/$id',
  component: lazyRouteComponent(() => import('../modules/workflows/components/WorkflowPage'), 'WorkflowPage'),
});
const formsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'forms',
  component: lazyRouteComponent(() => import('../modules/forms/components/FormsPage'), 'FormsPage'),
});
const newFormRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'forms/new',
  component: lazyRouteComponent(() => import('../modules/forms/components/FormPage'), 'NewFormPage'),
});
const formRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'forms/$id',
  component: lazyRouteComponent(() => import('../modules/forms/components/FormPage'), 'FormPage'),
});
const notificationSettingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'settings/notifications',
  component: lazyRouteComponent(
    () => import('../modules/notifications/components/NotificationPreferencesPage'),
    'NotificationPreferencesPage',
  ),
});

const phoneSyncRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'settings/phone-sync',
  component: lazyRouteComponent(() => import('../modules/dav/components/PhoneSyncPage'), 'PhoneSyncPage'),
});

const accountSecurityRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'settings/security',
  component: lazyRouteComponent(() => import('../pages/AccountSecurityPage'), 'AccountSecurityPage'),
});

// Reports: dashboards with the forecast, and the report builder.
const reportsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'reports',
  component: lazyRouteComponent(() => import('../pages/ReportsPage'), 'ReportsPage'),
});
const reportBuilderRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'reports/builder',
  component: lazyRouteComponent(() => import('../pages/ReportsPage'), 'ReportBuilderPage'),
});

// Imports: the wizard (upload, mapping, dry run, progress, summary).
const importRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'import',
  component: lazyRouteComponent(() => import('../pages/ImportPage'), 'ImportPage'),
});

// Segments have their own editor (filter with live count, members); their list is the generic one.
const newSegmentRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'segments/new',
  component: lazyRouteComponent(() => import('../pages/SegmentPage'), 'NewSegmentPage'),
});
const segmentRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'segments/$id',
  component: lazyRouteComponent(() => import('../pages/SegmentPage'), 'SegmentPage'),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  signUpRoute,
  acceptInviteRoute,
  forgotPasswordRoute,
  resetPasswordRoute,
  verifyEmailRoute,
  twoFactorSetupRoute,
  appRoute.addChildren([
    homeRoute,
    adminRoute,
    myDayRoute,
    feedRoute,
    scoringRoute,
    mqlQueueRoute,
    calendarRoute,
    pipelineRoute,
    dealsRoute,
    reportsRoute,
    reportBuilderRoute,
    importRoute,
    myStaffEntryRoute,
    workflowsRoute,
    newWorkflowRoute,
    sequencesRoute,
    newSequenceRoute,
    sequenceRoute,
    workflowRoute,
    formsRoute,
    newFormRoute,
    formRoute,
    notificationSettingsRoute,
    accountSecurityRoute,
    phoneSyncRoute,
    knowledgeRoute,
    chatRoute,
    chatDeepLinkRoute,
    socialRoute,
    socialDashboardRoute,
    contactCentreRoute,
    articleEditorRoute,
    ticketQueuesRoute,
    macrosRoute,
    slaPoliciesRoute,
    mapRoute,
    nearMeRoute,
    listRoute,
    createRecordRoute,
    recordRoute,
    editRecordRoute,
    newSegmentRoute,
    segmentRoute,
  ]),
]);

export const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  // Queries own freshness; the router should not cache loader results on top.
  defaultPreloadStaleTime: 0,
  defaultPendingComponent: PageLoader,
  defaultErrorComponent: PageError,
  scrollRestoration: true,
});

setSignedOutHandler(() => {
  const signedOutPages = [
    '/sign-in',
    '/sign-up',
    '/accept-invite',
    '/forgot-password',
    '/reset-password',
    '/verify-email',
  ];
  if (signedOutPages.includes(router.state.location.pathname)) return;
  queryClient.clear();
  void clearOfflineData();
  void router.navigate({ to: '/sign-in', search: { redirect: router.state.location.href } });
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

setEnrolmentRequiredHandler(() => {
  if (router.state.location.pathname === '/two-factor-setup') return;
  void queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
  void router.navigate({ to: '/two-factor-setup' });
});
