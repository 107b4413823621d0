import type { ObjectDef } from '../platform/records/types';
import { accountsObject } from './accounts/accounts.object';
import { contactsObject } from './contacts/contacts.object';
import { interactionsObject } from './interactions/interactions.object';
import { meetingsObject } from './tasks/meetings.object';
import { tasksObject } from './tasks/tasks.object';
import { notesObject } from './timeline/notes.object';

/** Every standard object, declared once each. Later capabilities add theirs here. */
export const STANDARD_OBJECTS: ObjectDef[] = [
  accountsObject,
  contactsObject,
  tasksObject,
  meetingsObject,
  interactionsObject,
  notesObject,
];
