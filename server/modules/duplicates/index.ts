import { defineModule } from '../../platform/modules';
import { duplicateRoutes } from './duplicates.routes';

export { companyKey, domainAndParents, emailDomain, hostOf, nameSimilarity } from './company-names';
export { linkTimeline, type RecordRef, timelineSources } from './timeline-links';

/** Duplicate finding and merging for accounts, contacts and leads; records' timeline links after a merge or conversion. */
export const duplicatesModule = defineModule({
  name: 'duplicates',
  routes: duplicateRoutes,
});
