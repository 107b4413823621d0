/**
 * How an activity created on a record points at it: interactions have their own
 * contact and account fields (contacts bring their account along); everything else
 * uses the polymorphic related record.
 */
export function linkFields(object: string, record: Record<string, unknown> & { id: string }, forInteraction = true) {
  if (forInteraction && object === 'contacts') {
    return { contactId: record.id, ...(typeof record.accountId === 'string' ? { accountId: record.accountId } : {}) };
  }
  if (forInteraction && object === 'accounts') return { accountId: record.id };
  return { relatedObject: object, relatedId: record.id };
}
