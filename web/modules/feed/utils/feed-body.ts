/** Mentions in a message: `@[Name](user:<id>)` and `@[Title](<object>:<id>)` (server/modules/feed/feed-mentions.ts). */
const MENTION = /@\[([^\]\n]{1,200})\]\(([a-z][a-z0-9_]{0,62}):([0-9a-fA-F-]{36})\)/g;

/** A piece of a message body, with its offset (a stable key). */
export type FeedBodyPart = { at: number } & (
  | { text: string }
  | { person: { id: string; name: string } }
  | { record: { object: string; id: string; title: string; restricted: boolean } }
);

/**
 * Splits a body into text, people and records for display; `restricted` names the
 * records (`object:id`) the reader may not see (the entry's recordMentions with no title).
 */
export function feedBodyParts(body: string, restricted: ReadonlySet<string> = new Set()): FeedBodyPart[] {
  const parts: FeedBodyPart[] = [];
  let last = 0;
  for (const m of body.matchAll(MENTION)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ at: last, text: body.slice(last, at) });
    const [, name, object, id] = m as unknown as [string, string, string, string];
    if (object === 'user') parts.push({ at, person: { id, name } });
    else
      parts.push({
        at,
        record: { object, id, title: name, restricted: restricted.has(`${object}:${id.toLowerCase()}`) },
      });
    last = at + m[0].length;
  }
  if (last < body.length) parts.push({ at: last, text: body.slice(last) });
  return parts;
}
