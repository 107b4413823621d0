import { defineModule } from '../../platform/modules';
import { consentRoutes } from './consents.routes';
import { ledger, saleSharingRefused } from './consents.service';
import { conversionConsumer } from './conversion.consumer';
import { gpcRoutes } from './gpc.routes';

export {
  appendConsent,
  assertPurpose,
  type ConsentStatus,
  consentPurposes,
  currentConsent,
  currentConsents,
  gpcSignal,
  recordGpcOptOut,
  SALE_SHARING,
  withdrawnSql,
} from './consents.service';

/**
 * The consent ledger: per contact and lead, per purpose, an append-only history of
 * every change (status, lawful basis, source, wording, proof); the current status of a
 * purpose is its newest entry. Shown on the record page (`?include=consents`).
 */
export const consentsModule = defineModule({
  name: 'consents',
  /** Event types workflows may start on (each names a record). */
  triggers: ['consent.changed'],
  sections: [
    {
      name: 'consents',
      label: 'Consent',
      objects: ['contacts', 'leads'],
      // The record is already checked visible to the caller when a section loads.
      async load(tx, _deps, { object, id }, limit) {
        const l = await ledger(tx, object as 'contacts' | 'leads', id, limit);
        return { items: l.current, count: l.current.length };
      },
    },
  ],
  // A converted lead's consents follow the person to the contact.
  work: ({ records }) => ({ consumers: [conversionConsumer(records)] }),
  // Webhooks marked `sharing` get no events about people who opted out of sale/sharing.
  sharing: saleSharingRefused,
  routes: (deps) => {
    const ledgerRoutes = consentRoutes(deps);
    const gpc = gpcRoutes();
    return async (app) => {
      await app.register(ledgerRoutes);
      await app.register(gpc);
    };
  },
});
