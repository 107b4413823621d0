import { defineModule } from '../../platform/modules';
import { consentRoutes } from './consents.routes';
import { ledger } from './consents.service';

export { appendConsent, assertPurpose, type ConsentStatus, consentPurposes, currentConsent } from './consents.service';

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
  routes: consentRoutes,
});
