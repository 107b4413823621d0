import { defineModule } from '../../platform/modules';
import { notesObject } from './notes.object';
import { timelineRoutes } from './timeline.routes';

export { addComment } from './comments.service';
export {
  opt,
  RELATED_FIELDS,
  relatedReference,
  userListReference,
  validateRelated,
  validateUserList,
} from './related-record';

/** Notes, comments, tags and every record's timeline; the "related to" fields activities share. */
export const timelineModule = defineModule({
  name: 'timeline',
  objects: [notesObject],
  routes: timelineRoutes,
});
