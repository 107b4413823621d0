import type { RapportModule } from '../platform/modules';
import type { ObjectDef } from '../platform/records/types';
import { accountsModule } from './accounts';
import { bouncesModule } from './bounces';
import { campaignsModule } from './campaigns';
import { chatModule } from './chat';
import { consentsModule } from './consents';
import { contactsModule } from './contacts';
import { davModule } from './dav';
import { dealsModule } from './deals';
import { demoModule } from './demo';
import { duplicatesModule } from './duplicates';
import { feedModule } from './feed';
import { formsModule } from './forms';
import { geoModule } from './geo';
import { importsModule } from './imports';
import { interactionsModule } from './interactions';
import { knowledgeModule } from './knowledge';
import { leadsModule } from './leads';
import { opportunitiesModule } from './opportunities';
import { pipelinesModule } from './pipelines';
import { privacyModule } from './privacy';
import { productsModule } from './products';
import { quotesModule } from './quotes';
import { reportsModule } from './reports';
import { scoringModule } from './scoring';
import { segmentsModule } from './segments';
import { sequencesModule } from './sequences';
import { socialModule } from './social';
import { staffModule } from './staff';
import { tasksModule } from './tasks';
import { telephonyModule } from './telephony';
import { ticketsModule } from './tickets';
import { timelineModule } from './timeline';
import { trackingModule } from './tracking';
import { workflowsModule } from './workflows';

/**
 * Every capability module, once, in dependency order: a module comes after the modules
 * it imports (test/module-graph.test.ts checks it). The runtime and the app read
 * modules from this list only; routes, consumers and background work follow its order.
 */
export const MODULES = [
  accountsModule,
  contactsModule,
  duplicatesModule,
  // Before the modules reacting to an import's summary event and the timeline (they read its records).
  importsModule,
  timelineModule,
  interactionsModule,
  tasksModule,
  leadsModule,
  pipelinesModule,
  opportunitiesModule,
  productsModule,
  quotesModule,
  dealsModule,
  staffModule,
  workflowsModule,
  demoModule,
  feedModule,
  segmentsModule,
  consentsModule,
  formsModule,
  trackingModule,
  scoringModule,
  ticketsModule,
  knowledgeModule,
  bouncesModule,
  chatModule,
  campaignsModule,
  sequencesModule,
  davModule,
  privacyModule,
  socialModule,
  telephonyModule,
  // After the modules whose figures the standard dashboards read (tickets, chat, telephony).
  reportsModule,
  geoModule,
] as const satisfies readonly RapportModule[];

/**
 * The order objects are listed in (object list, role editor, custom fields, OpenAPI):
 * the order people work in, which is not the modules' dependency order. An object not
 * named here follows them, in module order.
 */
const OBJECT_ORDER = [
  'accounts',
  'contacts',
  'opportunities',
  'leads',
  'products',
  'quotes',
  'staff',
  'tasks',
  'meetings',
  'interactions',
  'notes',
  'segments',
  'campaigns',
  'tickets',
  'social_messages',
  'calls',
];

const rank = (def: ObjectDef) => {
  const i = OBJECT_ORDER.indexOf(def.name);
  return i === -1 ? OBJECT_ORDER.length : i;
};

/** Every standard object, as the modules declare them. */
export const STANDARD_OBJECTS: ObjectDef[] = MODULES.flatMap((m: RapportModule) => m.objects ?? []).sort(
  (a, b) => rank(a) - rank(b),
);
