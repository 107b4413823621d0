import { defineModule } from '../../platform/modules';
import { contactsObject } from './contacts.object';
import { doNotContactCheck } from './do-not-contact';
import { contactTemplateVariables } from './template-variables';

export { contactsObject } from './contacts.object';
export { DO_NOT_SELL_FIELD, SCORE_DETAIL_FIELDS } from './score-fields';

/** Contacts: people, with the `contact` template variable and the do-not-contact suppression rule. */
export const contactsModule = defineModule({
  name: 'contacts',
  objects: [contactsObject],
  suppression: doNotContactCheck,
  templateVariables: contactTemplateVariables,
});
