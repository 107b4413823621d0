import { defineModule } from '../../platform/modules';
import { activityWork } from './activity-work';
import { meetingsObject } from './meetings.object';
import { taskAssignmentNotice } from './task-assignment';
import { tasksObject } from './tasks.object';
import { taskRoutes } from './tasks.routes';

/** Tasks and meetings, the agenda and calendar feed, assignment notifications and reminders. */
export const tasksModule = defineModule({
  name: 'tasks',
  objects: [tasksObject, meetingsObject],
  routes: ({ database, records, config }) => taskRoutes({ database, records, baseUrl: config.baseUrl }),
  assignmentNotices: { tasks: taskAssignmentNotice },
  work: activityWork,
});
