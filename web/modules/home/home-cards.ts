import { type ComponentType, type LazyExoticComponent, lazy } from 'react';
import type { NavContext } from '../shell/navigation';
import { RecentlyViewedCard } from './components/RecentlyViewedCard';

/** What a home card knows about the caller: the navigation's context plus who they are. */
export interface HomeContext extends NavContext {
  userId: string | null;
}

export interface HomeCardProps {
  ctx: HomeContext;
}

/**
 * A card of the home page. A capability adds its card with one entry in HOME_CARDS
 * (tickets: "my open tickets", campaigns: "running campaigns", chats: "waiting chats"):
 * `show` decides who gets it, `order` (and `orderFor` per standard role) where it goes.
 * A card fetches its own data, and may render nothing (an endpoint not there yet).
 */
export interface HomeCard {
  key: string;
  order: number;
  /** The card's place for a standard role, when it differs from `order` (what that role needs first). */
  orderFor?: Partial<Record<string, number>>;
  show: (ctx: HomeContext) => boolean;
  /** Lazy for cards with their own code; the recently viewed list is there at once (it also shows offline). */
  component: LazyExoticComponent<ComponentType<HomeCardProps>> | ComponentType<HomeCardProps>;
}

const card = (load: () => Promise<ComponentType<HomeCardProps>>) => lazy(() => load().then((c) => ({ default: c })));
const readable = (ctx: HomeContext, object: string) => ctx.objects.some((o) => o.name === object);

export const HOME_CARDS: HomeCard[] = [
  {
    key: 'create',
    order: 5,
    show: (ctx) => ctx.objects.length > 0,
    component: card(() => import('./components/CreateCard').then((m) => m.CreateCard)),
  },
  {
    key: 'my-day',
    order: 10,
    orderFor: { administrator: 40, marketing_manager: 30 },
    show: (ctx) => ctx.userId !== null && (readable(ctx, 'tasks') || readable(ctx, 'meetings')),
    component: card(() => import('./components/MyDayCard').then((m) => m.MyDayCard)),
  },
  {
    key: 'open-opportunities',
    order: 20,
    orderFor: { data_analyst: 10, administrator: 20 },
    // Service reps do not see deal values; their day is tasks, meetings and (later) tickets.
    show: (ctx) => readable(ctx, 'opportunities') && ctx.role !== 'service_rep' && ctx.role !== 'marketing_manager',
    component: card(() => import('./components/OpportunitiesCard').then((m) => m.OpportunitiesCard)),
  },
  {
    key: 'leads',
    order: 25,
    orderFor: { marketing_manager: 10 },
    show: (ctx) => readable(ctx, 'leads') && (ctx.role === 'marketing_manager' || ctx.role === 'administrator'),
    component: card(() => import('./components/LeadsCard').then((m) => m.LeadsCard)),
  },
  {
    key: 'workspace',
    order: 15,
    show: (ctx) => ctx.admin,
    component: card(() => import('./components/WorkspaceCard').then((m) => m.WorkspaceCard)),
  },
  {
    key: 'activity',
    order: 30,
    orderFor: { service_rep: 20 },
    show: () => true,
    component: card(() => import('./components/RecentActivityCard').then((m) => m.RecentActivityCard)),
  },
  {
    key: 'recently-viewed',
    order: 50,
    show: () => true,
    component: RecentlyViewedCard,
  },
];

/** The caller's cards, in the order their role needs them. */
export function homeCardsFor(ctx: HomeContext, cards: HomeCard[] = HOME_CARDS): HomeCard[] {
  const place = (c: HomeCard) => c.orderFor?.[ctx.role] ?? c.order;
  return cards.filter((c) => c.show(ctx)).sort((a, b) => place(a) - place(b));
}
