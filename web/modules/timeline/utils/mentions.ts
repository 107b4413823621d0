/** A mention as the API stores it: `@[Display name](user:<uuid>)` (server/modules/timeline/comments.service.ts). */
const MENTION = /@\[([^\]\n]{1,200})\]\(user:([0-9a-fA-F-]{36})\)/g;

/** A piece of a body, with its offset (a stable key). */
export type BodyPart = { at: number } & ({ text: string } | { mention: { id: string; name: string } });

/** Splits a comment body into text and mentions, for display. */
export function bodyParts(body: string): BodyPart[] {
  const parts: BodyPart[] = [];
  let last = 0;
  for (const m of body.matchAll(MENTION)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ at: last, text: body.slice(last, at) });
    parts.push({ at, mention: { name: m[1] as string, id: m[2] as string } });
    last = at + m[0].length;
  }
  if (last < body.length) parts.push({ at: last, text: body.slice(last) });
  return parts;
}

/** The `@partial name` being typed just before the caret, or null. */
export function mentionQuery(text: string, caret: number): string | null {
  const m = /(?:^|\s)@([\p{L}\p{N} .'-]{0,30})$/u.exec(text.slice(0, caret));
  return m ? (m[1] as string) : null;
}

/** Replaces the `@partial` before the caret with `@Name ` (what the user sees while writing). */
export function insertMention(text: string, caret: number, name: string): { text: string; caret: number } {
  const before = text.slice(0, caret).replace(/@([\p{L}\p{N} .'-]{0,30})$/u, `@${name} `);
  return { text: before + text.slice(caret), caret: before.length };
}

/** Turns the `@Name` of each picked member into the API's mention markup before sending. */
export function encodeMentions(text: string, picked: { id: string; name: string }[]): string {
  let out = text;
  for (const p of [...picked].sort((a, b) => b.name.length - a.name.length)) {
    out = out.split(`@${p.name}`).join(`@[${p.name}](user:${p.id})`);
  }
  return out;
}
