/** Kinds of notification a user can tune, with what they get unless they chose otherwise. */
export const NOTIFICATION_KINDS = {
  mention: { label: 'Mentions of me', inApp: true, email: true },
  assignment: { label: 'Records and tasks assigned to me', inApp: true, email: true },
  reminder: { label: 'Task and meeting reminders', inApp: true, email: true },
  workflow: { label: 'Workflow notifications', inApp: true, email: false },
} as const satisfies Record<string, { label: string; inApp: boolean; email: boolean }>;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;

/** Defaults for a kind (unknown kinds: in the app, not by email). */
export const kindDefaults = (kind: string): { inApp: boolean; email: boolean } =>
  (NOTIFICATION_KINDS as Record<string, { inApp: boolean; email: boolean }>)[kind] ?? { inApp: true, email: false };

/** SQL-side defaults, for queries joining notification_preferences (kept in step with the table above). */
export const EMAIL_BY_DEFAULT = Object.entries(NOTIFICATION_KINDS)
  .filter(([, v]) => v.email)
  .map(([k]) => k);
export const HIDDEN_BY_DEFAULT = Object.entries(NOTIFICATION_KINDS)
  .filter(([, v]) => !v.inApp)
  .map(([k]) => k);
