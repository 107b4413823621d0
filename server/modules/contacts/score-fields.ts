import { type FieldDef, opt } from '../../platform/records/types';

/**
 * Lead scoring's breakdown of `score` (server/modules/scoring keeps them): fit (who they
 * are), engagement (what they did, decayed) and the grade A–D. Leads and contacts both.
 */
export const SCORE_DETAIL_FIELDS: FieldDef[] = [
  {
    name: 'fitScore',
    type: 'integer',
    label: 'Fit score',
    readOnly: true,
    hidden: true,
    min: -1_000_000,
    max: 1_000_000,
  },
  {
    name: 'engagementScore',
    type: 'integer',
    label: 'Engagement score',
    readOnly: true,
    hidden: true,
    min: -1_000_000,
    max: 1_000_000,
  },
  { name: 'grade', type: 'select', label: 'Grade', readOnly: true, options: opt('A', 'B', 'C', 'D') },
];

/**
 * "Do not sell or share" (CCPA opt-out), on leads and contacts: kept by the consent ledger
 * (server/modules/consents: purpose `sale_sharing` withdrawn ⇒ true), so read-only for every
 * role — a change is a ledger entry (`POST /api/v1/{object}/{id}/consents`), with its history.
 */
export const DO_NOT_SELL_FIELD: FieldDef = {
  name: 'doNotSell',
  type: 'boolean',
  label: 'Do not sell or share',
  readOnly: true,
};
