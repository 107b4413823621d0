import type { TemplateVariableProvider } from '../../platform/mail/templates.service';

/** `{{ contact.… }}` in mail templates: the contact as the caller may read it; templates are sent to contacts. */
export const contactTemplateVariables: TemplateVariableProvider = {
  name: 'contact',
  // What a preview shows when no contact is chosen.
  sample: {
    id: '00000000-0000-7000-8000-000000000000',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    title: 'Analyst',
    phone: '+442079460000',
  },
  load: (tx, records, actor, id) => records.get(tx, actor, 'contacts', id),
};
