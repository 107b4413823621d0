import type { UseNavigateResult } from '@tanstack/react-router';
import { ADMIN_PAGES } from '../admin/admin-pages';
import { can, type ObjectMeta } from '../objects/api/objects.api';

/**
 * The app's pages and actions in one registry: the sidebar shows the pages by group,
 * and the command palette (Ctrl/Cmd-K) offers every page and action the caller has.
 * A capability adds its pages with one entry in NAV_SOURCES (and, for a record object,
 * a group in OBJECT_GROUPS); nothing else needs to know about it.
 */

/** What decides which pages a caller gets: role, administration right and the objects they may read. */
export interface NavContext {
  role: string;
  admin: boolean;
  /** A signed-in person (not an API key session): has a directory entry and account settings. */
  person: boolean;
  objects: ObjectMeta[];
}

export type NavGroupKey =
  | 'planner'
  | 'sales'
  | 'customers'
  | 'marketing'
  | 'service'
  | 'activities'
  | 'records'
  | 'workspace'
  | 'settings';

export interface NavGroup {
  key: NavGroupKey;
  label: string;
  /** Open until the user closes it (a group holding the current page always opens). */
  defaultOpen: boolean;
  /** `pinned`: always on screen at the foot of the sidebar; `palette`: only in the command palette. */
  place?: 'pinned' | 'palette';
}

/** Sidebar order. Workspace (workflows, administration) is pinned so it never needs scrolling to. */
export const NAV_GROUPS: NavGroup[] = [
  { key: 'planner', label: 'Planner', defaultOpen: true },
  { key: 'sales', label: 'Sales', defaultOpen: true },
  { key: 'customers', label: 'Customers', defaultOpen: true },
  { key: 'marketing', label: 'Marketing', defaultOpen: true },
  { key: 'service', label: 'Service', defaultOpen: true },
  { key: 'activities', label: 'Activities', defaultOpen: false },
  { key: 'records', label: 'Records', defaultOpen: false },
  { key: 'workspace', label: 'Workspace', defaultOpen: true, place: 'pinned' },
  { key: 'settings', label: 'Settings', defaultOpen: false, place: 'palette' },
];

/** Which sidebar group an object's list sits in; objects not listed (custom ones too) go to Records. */
export const OBJECT_GROUPS: Record<string, NavGroupKey> = {
  accounts: 'customers',
  contacts: 'customers',
  leads: 'customers',
  opportunities: 'sales',
  quotes: 'sales',
  products: 'sales',
  tasks: 'activities',
  meetings: 'activities',
  interactions: 'activities',
  notes: 'activities',
  segments: 'marketing',
  campaigns: 'marketing',
  tickets: 'service',
  articles: 'service',
  article_categories: 'service',
};

/** Where a page or action goes: a route of the app (web/app/router.tsx) and its params. */
export type NavTarget =
  | {
      to:
        | '/'
        | '/my-day'
        | '/calendar'
        | '/feed'
        | '/marketing/scoring'
        | '/marketing/mql-queue'
        | '/knowledge'
        | '/service/queues'
        | '/service/macros'
        | '/service/sla-policies'
        | '/chat'
        | '/social'
        | '/social/dashboard'
        | '/contact-centre'
        | '/pipeline'
        | '/deals'
        | '/reports'
        | '/reports/builder'
        | '/near-me'
        | '/import'
        | '/workflows'
        | '/workflows/new'
        | '/forms'
        | '/forms/new'
        | '/marketing/sequences'
        | '/marketing/sequences/new'
        | '/me'
        | '/settings/security'
        | '/settings/notifications'
        | '/settings/phone-sync';
    }
  | { to: '/$object' | '/$object/new'; params: { object: string } }
  | { to: '/map'; search: { object: string } }
  | { to: '/admin/$'; params: { _splat: string } };

export interface NavPage {
  key: string;
  label: string;
  group: NavGroupKey;
  link: NavTarget;
  /** True when `pathname` is this page (or below it). */
  current: (pathname: string) => boolean;
  /** Extra words the palette matches ("admin", "automation"). */
  keywords?: string;
  testId?: string;
}

export interface NavAction {
  key: string;
  label: string;
  link: NavTarget;
  keywords?: string;
}

const exact = (path: string) => (pathname: string) => pathname === path;
const under = (path: string) => (pathname: string) => pathname === path || pathname.startsWith(`${path}/`);
const readable = (ctx: NavContext, object: string) => ctx.objects.some((o) => o.name === object);

/** Each capability's pages, in sidebar order within their groups. */
const NAV_SOURCES: Array<(ctx: NavContext) => NavPage[]> = [
  // Planner
  () => [
    {
      key: 'home',
      label: 'Home',
      group: 'planner',
      link: { to: '/' },
      current: exact('/'),
      keywords: 'start dashboard',
    },
    {
      key: 'my-day',
      label: 'My day',
      group: 'planner',
      link: { to: '/my-day' },
      current: exact('/my-day'),
      keywords: 'today tasks agenda',
    },
    {
      key: 'calendar',
      label: 'Calendar',
      group: 'planner',
      link: { to: '/calendar' },
      current: exact('/calendar'),
      keywords: 'meetings week',
    },
    {
      key: 'feed',
      label: 'Feed',
      group: 'planner',
      link: { to: '/feed' },
      current: exact('/feed'),
      keywords: 'activity news colleagues messages',
    },
  ],
  // Sales views over opportunities
  (ctx) =>
    readable(ctx, 'opportunities')
      ? [
          {
            key: 'pipeline',
            label: 'Pipeline',
            group: 'sales',
            link: { to: '/pipeline' },
            current: exact('/pipeline'),
            keywords: 'board stages',
          },
          {
            key: 'deals',
            label: 'Deals',
            group: 'sales',
            link: { to: '/deals' },
            current: exact('/deals'),
            keywords: 'won lost forecast',
          },
          {
            key: 'reports',
            label: 'Reports',
            group: 'sales',
            link: { to: '/reports' },
            current: under('/reports'),
            keywords: 'dashboards charts forecast analytics',
          },
        ]
      : [],
  // The map of accounts, contacts and leads, and what is near me (phones)
  (ctx) => {
    const first = ['accounts', 'contacts', 'leads'].find((o) => readable(ctx, o));
    if (!first) return [];
    return [
      {
        key: 'map',
        label: 'Map',
        group: 'sales',
        link: { to: '/map', search: { object: first } },
        current: exact('/map'),
        keywords: 'geo location territory cluster',
      },
      {
        key: 'near-me',
        label: 'Near me',
        group: 'sales',
        link: { to: '/near-me' },
        current: exact('/near-me'),
        keywords: 'nearby prospects visits distance directions geo location',
      },
    ];
  },
  // Every object's list, from the metadata (custom objects appear too)
  (ctx) =>
    ctx.objects.map(
      (o): NavPage => ({
        key: `object:${o.name}`,
        label: o.labelPlural,
        group: OBJECT_GROUPS[o.name] ?? 'records',
        link: { to: '/$object', params: { object: o.name } },
        current: under(`/${o.name}`),
        keywords: 'list',
      }),
    ),
  // Marketing: web forms (administrators and marketing managers)
  (ctx) =>
    ctx.role === 'administrator' || ctx.role === 'marketing_manager'
      ? [
          {
            key: 'forms',
            label: 'Forms',
            group: 'marketing',
            link: { to: '/forms' },
            current: under('/forms'),
            keywords: 'web form lead capture embed consent',
          },
          {
            key: 'sequences',
            label: 'Nurture sequences',
            group: 'marketing',
            link: { to: '/marketing/sequences' },
            current: under('/marketing/sequences'),
            keywords: 'nurture drip welcome email sequence enrol',
          },
        ]
      : [],
  // Marketing: lead scoring and the MQL → SQL hand-off
  (ctx) =>
    readable(ctx, 'leads')
      ? [
          {
            key: 'scoring',
            label: 'Lead scoring',
            group: 'marketing',
            link: { to: '/marketing/scoring' },
            current: exact('/marketing/scoring'),
            keywords: 'score rules mql threshold grade',
          },
          {
            key: 'mql-queue',
            label: 'MQL queue',
            group: 'marketing',
            link: { to: '/marketing/mql-queue' },
            current: exact('/marketing/mql-queue'),
            keywords: 'mql sql qualified hand-off accept reject',
          },
        ]
      : [],
  // Service: the knowledge base (editor, versions, the public help centre's address)
  (ctx) =>
    readable(ctx, 'articles')
      ? [
          {
            key: 'knowledge',
            label: 'Knowledge base',
            group: 'service',
            link: { to: '/knowledge' },
            current: under('/knowledge'),
            keywords: 'articles help centre faq',
          },
        ]
      : [],
  // Service: the agents' queues, macros and SLA policies, and the live chat console
  // (whoever reads tickets; answering a chat needs update on tickets)
  (ctx) =>
    readable(ctx, 'tickets')
      ? [
          {
            key: 'ticket-queues',
            label: 'Ticket queues',
            group: 'service',
            link: { to: '/service/queues' },
            current: exact('/service/queues'),
            keywords: 'my tickets unassigned breaching sla inbox',
            testId: 'nav-ticket-queues',
          },
          {
            key: 'macros',
            label: 'Macros',
            group: 'service',
            link: { to: '/service/macros' },
            current: exact('/service/macros'),
            keywords: 'canned replies templates',
          },
          {
            key: 'sla-policies',
            label: 'SLA policies',
            group: 'service',
            link: { to: '/service/sla-policies' },
            current: exact('/service/sla-policies'),
            keywords: 'service level targets response resolution business hours',
          },
          {
            key: 'chat',
            label: 'Live chat',
            group: 'service',
            link: { to: '/chat' },
            current: under('/chat'),
            keywords: 'chat widget visitors queue presence',
          },
        ]
      : [],
  // The social inbox (whoever reads social messages; answering needs update on them)
  (ctx) =>
    readable(ctx, 'social_messages')
      ? [
          {
            key: 'social',
            label: 'Social inbox',
            group: 'service',
            link: { to: '/social' },
            current: exact('/social'),
            keywords: 'social facebook instagram x twitter messages mentions comments sentiment',
          },
          {
            key: 'social-dashboard',
            label: 'Brand dashboard',
            group: 'service',
            link: { to: '/social/dashboard' },
            current: exact('/social/dashboard'),
            keywords: 'social brand mentions volume sentiment response time charts',
          },
        ]
      : [],
  // The contact centre's agent desktop: whoever may read calls
  (ctx) =>
    readable(ctx, 'calls')
      ? [
          {
            key: 'contact-centre',
            label: 'Contact centre',
            group: 'service',
            link: { to: '/contact-centre' },
            current: exact('/contact-centre'),
            keywords: 'phone calls agent desktop screen pop ivr queue presence',
          },
        ]
      : [],
  // Workspace: importing records from files (whoever may create records of some object)
  (ctx) =>
    ctx.objects.some((o) => o.permissions?.create ?? true)
      ? [
          {
            key: 'import',
            label: 'Import',
            group: 'workspace',
            link: { to: '/import' },
            current: exact('/import'),
            keywords: 'csv xlsx excel vcard hubspot salesforce upload migrate',
          },
        ]
      : [],
  // Workspace: automation and administration
  (ctx) =>
    ctx.role === 'administrator' || ctx.role === 'marketing_manager'
      ? [
          {
            key: 'workflows',
            label: 'Workflows',
            group: 'workspace',
            link: { to: '/workflows' },
            current: under('/workflows'),
            keywords: 'automation',
          },
        ]
      : [],
  (ctx) =>
    ctx.admin
      ? [
          {
            key: 'admin',
            label: 'Administration',
            group: 'workspace',
            link: { to: '/admin/$', params: { _splat: '' } },
            current: under('/admin'),
            keywords: 'settings admin',
            testId: 'admin-nav',
          },
          ...ADMIN_PAGES.map(
            (p): NavPage => ({
              key: `admin:${p.path}`,
              label: `Administration: ${p.label}`,
              group: 'settings',
              link: { to: '/admin/$', params: { _splat: p.path } },
              current: under(`/admin/${p.path}`),
              keywords: 'admin settings',
            }),
          ),
        ]
      : [],
  // Personal settings (also in the user menu)
  (ctx) =>
    ctx.person
      ? [
          {
            key: 'me',
            label: 'Your directory entry',
            group: 'settings',
            link: { to: '/me' },
            current: exact('/me'),
            keywords: 'profile staff',
          },
          {
            key: 'security',
            label: 'Account security',
            group: 'settings',
            link: { to: '/settings/security' },
            current: exact('/settings/security'),
            keywords: 'password sessions',
          },
          {
            key: 'notifications',
            label: 'Notification settings',
            group: 'settings',
            link: { to: '/settings/notifications' },
            current: exact('/settings/notifications'),
            keywords: 'email preferences',
          },
          {
            key: 'phone-sync',
            label: 'Sync with your phone',
            group: 'settings',
            link: { to: '/settings/phone-sync' },
            current: exact('/settings/phone-sync'),
            keywords: 'carddav caldav app passwords contacts calendar iphone android',
          },
        ]
      : [],
];

/** Every page the caller may open, grouped in NAV_GROUPS order. */
export function navPages(ctx: NavContext): NavPage[] {
  const pages = NAV_SOURCES.flatMap((source) => source(ctx));
  const order = (g: NavGroupKey) => NAV_GROUPS.findIndex((x) => x.key === g);
  return pages
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order(a.p.group) - order(b.p.group) || a.i - b.i)
    .map((x) => x.p);
}

/** Every action the caller may take from anywhere: create a record of each object they may create, a workflow. */
export function navActions(ctx: NavContext): NavAction[] {
  const creates = ctx.objects
    .filter((o) => can(o, 'create'))
    .map(
      (o): NavAction => ({
        key: `new:${o.name}`,
        label: `New ${o.singular}`,
        link: { to: '/$object/new', params: { object: o.name } },
        keywords: `create add ${o.label}`,
      }),
    );
  const workflows: NavAction[] =
    ctx.role === 'administrator' || ctx.role === 'marketing_manager'
      ? [{ key: 'new:workflow', label: 'New workflow', link: { to: '/workflows/new' }, keywords: 'create automation' }]
      : [];
  return [...creates, ...workflows];
}

/** Goes to a page or action's target (typed per route, so params are checked). */
export function goTo(navigate: UseNavigateResult<string>, t: NavTarget): Promise<void> {
  switch (t.to) {
    case '/$object':
    case '/$object/new':
      return navigate({ to: t.to, params: t.params });
    case '/admin/$':
      return navigate({ to: t.to, params: t.params });
    default:
      return navigate({ to: t.to });
  }
}
