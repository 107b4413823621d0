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
        | '/pipeline'
        | '/deals'
        | '/workflows'
        | '/workflows/new'
        | '/forms'
        | '/forms/new'
        | '/me'
        | '/settings/security'
        | '/settings/notifications';
    }
  | { to: '/$object' | '/$object/new'; params: { object: string } }
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
        ]
      : [],
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
