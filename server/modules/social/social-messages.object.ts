import type { ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';
import { beforeSocialMessageWrite } from './social-rules';

export const SOCIAL_NETWORKS = ['facebook', 'instagram', 'x', 'generic'] as const;
export type SocialNetwork = (typeof SOCIAL_NETWORKS)[number];
/** What a social message is: a direct message, a comment on a post, a mention of the brand, a reply (ours or theirs). */
export const SOCIAL_KINDS = ['message', 'comment', 'mention', 'reply'] as const;
export type SocialKind = (typeof SOCIAL_KINDS)[number];
export const SOCIAL_PRIORITIES = ['low', 'normal', 'high'] as const;
export const SOCIAL_STATUSES = ['new', 'open', 'answered', 'closed'] as const;
/** Our replies: sending (handed to the provider), sent, failed (kept for retry, the reason in deliveryError). */
export const DELIVERY_STATUSES = ['received', 'sending', 'sent', 'failed'] as const;

/**
 * Social messages: what arrives from a social network (direct messages, comments,
 * mentions, replies) and the replies sent from Rapport, one record each. Sentiment,
 * flagged keywords and the default priority are derived on every write (social-rules.ts).
 */
export const socialMessagesObject: ObjectDef = {
  name: 'social_messages',
  singular: 'social_message',
  label: 'Social message',
  labelPlural: 'Social messages',
  table: 'social_messages',
  titleFields: ['authorHandle'],
  subtitleFields: ['network'],
  defaultSort: '-sentAt',
  fields: [
    {
      name: 'network',
      type: 'select',
      label: 'Network',
      required: true,
      options: opt(...SOCIAL_NETWORKS),
      indexed: true,
    },
    { name: 'kind', type: 'select', label: 'Kind', required: true, options: opt(...SOCIAL_KINDS) },
    { name: 'direction', type: 'select', label: 'Direction', options: opt('inbound', 'outbound') },
    { name: 'text', type: 'longText', label: 'Text', maxLength: 10_000, search: 'B' },
    { name: 'authorHandle', type: 'text', label: 'Author', maxLength: 200, search: 'A', fuzzy: true },
    { name: 'authorName', type: 'text', label: 'Author name', maxLength: 200, search: 'A', hidden: true },
    { name: 'authorId', type: 'text', label: 'Author id', maxLength: 200, indexed: true, hidden: true },
    { name: 'authorUrl', type: 'url', label: 'Author profile', hidden: true },
    { name: 'permalink', type: 'url', label: 'Permalink', hidden: true },
    { name: 'mediaUrls', type: 'json', label: 'Media links', hidden: true },
    { name: 'sentAt', type: 'datetime', label: 'Sent', indexed: true },
    {
      name: 'threadId',
      type: 'text',
      label: 'Thread',
      maxLength: 300,
      indexed: true,
      hidden: true,
      description: 'The conversation (a Messenger sender, a post, a DM conversation) messages belong to',
    },
    {
      name: 'externalId',
      type: 'text',
      label: 'Provider id',
      maxLength: 300,
      unique: true,
      hidden: true,
      description: '<network>:<the provider’s id> (Messenger mid, comment id, tweet id): a retry creates nothing new',
    },
    { name: 'connectionId', type: 'text', label: 'Connection', maxLength: 64, hidden: true },
    {
      name: 'sentiment',
      type: 'integer',
      label: 'Sentiment',
      readOnly: true,
      min: -10_000,
      max: 10_000,
      indexed: true,
      description: 'AFINN score of the text (below 0: negative)',
    },
    { name: 'language', type: 'text', label: 'Language', maxLength: 10, readOnly: true, hidden: true },
    { name: 'flaggedKeywords', type: 'json', label: 'Flagged keywords', readOnly: true, hidden: true },
    { name: 'priority', type: 'select', label: 'Priority', options: opt(...SOCIAL_PRIORITIES), indexed: true },
    { name: 'status', type: 'select', label: 'Status', options: opt(...SOCIAL_STATUSES), indexed: true },
    { name: 'assigneeId', type: 'user', label: 'Assignee', indexed: true },
    { name: 'contactId', type: 'relation', label: 'Contact', relation: { object: 'contacts', cardinality: 'one' } },
    { name: 'leadId', type: 'relation', label: 'Lead', relation: { object: 'leads', cardinality: 'one' } },
    { name: 'deliveryStatus', type: 'select', label: 'Delivery', options: opt(...DELIVERY_STATUSES), readOnly: true },
    { name: 'deliveryError', type: 'text', label: 'Delivery error', maxLength: 500, readOnly: true, hidden: true },
    {
      name: 'replyToId',
      type: 'relation',
      label: 'Reply to',
      relation: { object: 'social_messages', cardinality: 'one' },
      hidden: true,
    },
  ],
  beforeWrite: beforeSocialMessageWrite,
};
