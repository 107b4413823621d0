import type { ObjectDef } from '../platform/records/types';
import { accountsObject } from './accounts/accounts.object';
import { contactsObject } from './contacts/contacts.object';
import { interactionsObject } from './interactions/interactions.object';
import { leadsObject } from './leads/leads.object';
import { opportunitiesObject } from './opportunities/opportunities.object';
import { productsObject } from './products/products.object';
import { quotesObject } from './quotes/quotes.object';
import { staffObject } from './staff/staff.object';
import { meetingsObject } from './tasks/meetings.object';
import { tasksObject } from './tasks/tasks.object';
import { notesObject } from './timeline/notes.object';

/** Every standard object, declared once each. Later capabilities add theirs here. */
export const STANDARD_OBJECTS: ObjectDef[] = [
  accountsObject,
  contactsObject,
  opportunitiesObject,
  leadsObject,
  productsObject,
  quotesObject,
  staffObject,
  tasksObject,
  meetingsObject,
  interactionsObject,
  notesObject,
];
