import { AppError } from '../../platform/http/errors';
import {
  contactFromVCard,
  type ParsedVCard,
  parseVCards,
  toVCard,
  type VCardContact,
  VCardError,
} from '../../platform/vcard/vcard';

/**
 * What is CardDAV-specific about vCards; reading and writing them is the platform's
 * (server/platform/vcard). Here: a resource is exactly one card of version 3.0 or 4.0 and
 * at most 256 KB; only the fields DAV syncs are mapped, with values a field cannot hold
 * (a local phone number, a non-ISO country, a birthday: sensitive, see dav.service FIELDS)
 * kept as the client's lines; those lines (from the card kept in dav_resources.original)
 * are served back after the mapped ones, under the client's UID.
 */

export type VCardVersion = '3.0' | '4.0';

/** The contact fields a card maps onto (what DAV reads, see dav.service FIELDS). */
export const CARD_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'emails',
  'phone',
  'phones',
  'title',
  'address',
  'description',
] as const;

const MAX_CARD = 256 * 1024;

const bad = (message: string) =>
  new AppError('validation_failed', `vCard: ${message}`, { errors: [{ path: 'vcard', message }] });

/** The one vCard 3.0 / 4.0 of a CardDAV resource; 4xx when it is not one. */
export function parseVCard(text: string): ParsedVCard & { version: VCardVersion } {
  if (text.length > MAX_CARD) throw new AppError('payload_too_large', 'A vCard may be at most 256 KB');
  let cards: ParsedVCard[];
  try {
    cards = parseVCards(text);
  } catch (err) {
    if (err instanceof VCardError) throw bad(err.message);
    throw err;
  }
  if (cards.length !== 1) throw bad('a CardDAV resource must be exactly one vCard (BEGIN:VCARD … END:VCARD)');
  const card = cards[0] as ParsedVCard;
  // The reader takes a card without VERSION as 3.0 (older files); a CardDAV client always says.
  if (!/^VERSION:(3\.0|4\.0)[ \t]*$/im.test(text) || (card.version !== '3.0' && card.version !== '4.0')) {
    throw bad('VERSION must be 3.0 or 4.0');
  }
  return card as ParsedVCard & { version: VCardVersion };
}

/**
 * The contact fields a client's card sets, and its lines DAV keeps to serve back. A PUT
 * replaces the whole card, so a field the card no longer has is cleared (null, or no
 * further addresses / numbers).
 */
export function cardToFields(card: ParsedVCard): { fields: Record<string, unknown>; kept: string[] } {
  const { fields, kept } = contactFromVCard(card, { only: CARD_FIELDS, keepUnholdable: true });
  const cleared = Object.fromEntries(CARD_FIELDS.map((f) => [f, f === 'emails' || f === 'phones' ? [] : null]));
  return { fields: { ...cleared, ...fields }, kept };
}

/** The card for a contact: its fields as the caller may see them, then the kept lines. */
export function contactToVCard(
  record: Record<string, unknown>,
  opts: { version: VCardVersion; uid: string; kept: string[] },
): string {
  const contact = Object.fromEntries(
    ['id', ...CARD_FIELDS, 'updatedAt'].map((k) => [k, record[k] ?? null]),
  ) as VCardContact;
  return toVCard({ ...contact, extra: opts.kept }, { version: opts.version, uid: opts.uid });
}

/** The version a request asks for: `Accept: text/vcard; version=3.0`, or null. */
export function requestedVersion(accept: string | undefined): VCardVersion | null {
  if (!accept) return null;
  for (const part of accept.split(',')) {
    const m = /text\/(x-)?vcard[^,]*version\s*=\s*"?([34]\.0)/i.exec(part);
    if (m) return m[2] as VCardVersion;
  }
  return null;
}
