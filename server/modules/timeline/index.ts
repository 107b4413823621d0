import { defineModule } from '../../platform/modules';
import { notesObject } from './notes.object';
import { timelineRoutes } from './timeline.routes';
import { TimelineService } from './timeline.service';

export { addComment, MENTION, parseMentions, plainText } from './comments.service';
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
  // `GET /{object}/{id}?include=timeline`: the newest timeline items, as the timeline endpoint shows them to the caller.
  sections: [
    {
      name: 'timeline',
      label: 'Recent activity',
      async load(tx, { records, actor }, { object, id }, limit) {
        const page = await new TimelineService(records).timeline(tx, actor, object, id, { limit });
        return { items: page.data, count: page.data.length };
      },
    },
  ],
  routes: timelineRoutes,
});
