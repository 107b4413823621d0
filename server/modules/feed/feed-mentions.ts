/**
 * A record mentioned in a message: `@[Title](<object>:<uuid>)`, the comments' mention form
 * (`@[Name](user:<uuid>)`, modules/timeline) with an object's API name in place of `user`.
 */
export const RECORD_MENTION = /@\[([^\]\n]{1,200})\]\(([a-z][a-z0-9_]{0,62}):([0-9a-fA-F-]{36})\)/g;

/** The distinct records mentioned in a body (not people), in order of first mention. */
export function parseRecordMentions(body: string): { object: string; id: string }[] {
  const seen = new Map<string, { object: string; id: string }>();
  for (const m of body.matchAll(RECORD_MENTION)) {
    const object = m[2] as string;
    if (object === 'user') continue;
    const id = (m[3] as string).toLowerCase();
    seen.set(`${object}:${id}`, { object, id });
  }
  return [...seen.values()];
}

/** The body as plain text for a notification: people by name, records by kind only (the reader may not see them). */
export function notificationText(body: string, singular: (object: string) => string): string {
  return body.replace(RECORD_MENTION, (_m, name: string, object: string) =>
    object === 'user' ? `@${name}` : `@${singular(object)}`,
  );
}
