import { type ComponentType, type LazyExoticComponent, lazy } from 'react';

/** Props every administration page gets: the path segments after its own (e.g. a role key). */
export interface AdminPageProps {
  rest: string[];
}

export interface AdminPage {
  /** The segment under /admin: /admin/<path>. */
  path: string;
  label: string;
  component: LazyExoticComponent<ComponentType<AdminPageProps>>;
}

const page = (load: () => Promise<ComponentType<AdminPageProps>>) => lazy(() => load().then((c) => ({ default: c })));

/**
 * The administration pages, in navigation order. Adding a page is one entry here
 * (its component receives the rest of the path); the first one is where /admin lands.
 */
export const ADMIN_PAGES: AdminPage[] = [
  { path: 'users', label: 'Users', component: page(() => import('./components/UsersPage').then((m) => m.UsersPage)) },
  { path: 'roles', label: 'Roles', component: page(() => import('./components/RolesPage').then((m) => m.RolesPage)) },
  { path: 'teams', label: 'Teams', component: page(() => import('./components/TeamsPage').then((m) => m.TeamsPage)) },
  {
    path: 'fields',
    label: 'Custom fields',
    component: page(() => import('./components/CustomFieldsPage').then((m) => m.CustomFieldsPage)),
  },
  {
    path: 'api-keys',
    label: 'API keys',
    component: page(() => import('./components/ApiKeysPage').then((m) => m.ApiKeysPage)),
  },
  {
    path: 'audit-log',
    label: 'Audit log',
    component: page(() => import('./components/AuditLogPage').then((m) => m.AuditLogPage)),
  },
  {
    path: 'webhooks',
    label: 'Webhooks',
    component: page(() => import('../webhooks/components/WebhooksPage').then((m) => m.WebhooksPage)),
  },
  { path: 'mail', label: 'Mail', component: page(() => import('../mail/components/MailPage').then((m) => m.MailPage)) },
  {
    path: 'jobs',
    label: 'Background jobs',
    component: page(() => import('../jobs/components/JobsPage').then((m) => m.JobsPage)),
  },
  {
    path: 'tracking',
    label: 'Website tracking',
    component: page(() => import('../tracking/components/TrackingSettingsPage').then((m) => m.TrackingSettingsPage)),
  },
  {
    path: 'marketing',
    label: 'Marketing email',
    component: page(() => import('../campaigns/components/CampaignSettingsPage').then((m) => m.CampaignSettingsPage)),
  },
  {
    path: 'service-desk',
    label: 'Service desk',
    component: page(() => import('../tickets/components/TicketSettingsPage').then((m) => m.TicketSettingsPage)),
  },
  {
    path: 'chat',
    label: 'Live chat',
    component: page(() => import('../chat/components/ChatSettingsPage').then((m) => m.ChatSettingsPage)),
  },
  {
    path: 'ivr-flows',
    label: 'IVR flows',
    component: page(() => import('../telephony/components/IvrFlowsPage').then((m) => m.IvrFlowsPage)),
  },
  {
    path: 'privacy',
    label: 'Privacy',
    component: page(() => import('../privacy/components/PrivacyPage').then((m) => m.PrivacyPage)),
  },
  {
    path: 'settings',
    label: 'Settings',
    component: page(() => import('./components/SettingsPage').then((m) => m.SettingsPage)),
  },
];
