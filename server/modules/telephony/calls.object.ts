import { CALL_DIRECTIONS, CALL_DISPOSITIONS, CALL_STATUSES } from '../../../common/contracts/telephony';
import type { ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';

/**
 * Calls: one record per phone call through a workspace number (inbound through the IVR,
 * outbound by click-to-call). The provider's webhooks create and complete it as the system;
 * agents add the disposition and notes. `ivrPath` is the list of IVR steps the caller took
 * (`{ node, kind, digits?, at }`), `providerCallId` the provider's id (Twilio's CallSid).
 * A completed call is also logged as an interaction (channel call) on the matched
 * contact's or lead's timeline, which the "don't contact twice" ledger counts.
 */
export const callsObject: ObjectDef = {
  name: 'calls',
  singular: 'call',
  label: 'Call',
  labelPlural: 'Calls',
  table: 'calls',
  // `from` and `to` are SQL keywords: quoted in the migration, and kept out of search and titles
  // (the search vector and titles are built from raw column names); `callerName` carries the search.
  titleFields: ['callerName'],
  subtitleFields: ['status'],
  defaultSort: '-startedAt',
  fields: [
    { name: 'direction', type: 'select', label: 'Direction', required: true, options: opt(...CALL_DIRECTIONS) },
    {
      name: 'callerName',
      type: 'text',
      label: 'Caller',
      maxLength: 200,
      search: 'A',
      fuzzy: true,
      description: 'The matched person’s name, else the number',
    },
    { name: 'from', type: 'phone', label: 'From', required: true, indexed: true },
    { name: 'to', type: 'phone', label: 'To', required: true },
    { name: 'status', type: 'select', label: 'Status', options: opt(...CALL_STATUSES), indexed: true },
    { name: 'contactId', type: 'relation', label: 'Contact', relation: { object: 'contacts', cardinality: 'one' } },
    { name: 'leadId', type: 'relation', label: 'Lead', relation: { object: 'leads', cardinality: 'one' } },
    { name: 'accountId', type: 'relation', label: 'Account', relation: { object: 'accounts', cardinality: 'one' } },
    { name: 'agentId', type: 'user', label: 'Agent', indexed: true },
    { name: 'queue', type: 'text', label: 'Queue', maxLength: 100 },
    { name: 'startedAt', type: 'datetime', label: 'Started', indexed: true },
    { name: 'answeredAt', type: 'datetime', label: 'Answered', hidden: true },
    { name: 'endedAt', type: 'datetime', label: 'Ended', hidden: true },
    { name: 'durationSeconds', type: 'integer', label: 'Duration (seconds)', min: 0, max: 1_000_000 },
    { name: 'disposition', type: 'select', label: 'Disposition', options: opt(...CALL_DISPOSITIONS) },
    { name: 'notes', type: 'longText', label: 'Notes', search: 'C', hidden: true },
    { name: 'recordingUrl', type: 'url', label: 'Recording', hidden: true },
    { name: 'ivrPath', type: 'json', label: 'IVR path', hidden: true },
    {
      name: 'providerCallId',
      type: 'text',
      label: 'Provider call id',
      maxLength: 64,
      unique: true,
      hidden: true,
      description: "The provider's id of the call (Twilio's CallSid)",
    },
    { name: 'interactionId', type: 'text', label: 'Logged interaction', maxLength: 36, readOnly: true, hidden: true },
  ],
};
