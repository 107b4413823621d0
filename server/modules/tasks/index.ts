import { defineModule } from '../../platform/modules';
import { activityWork } from './activity-work';
import { calendarMailHandler } from './invitations';
import { meetingsObject } from './meetings.object';
import { taskAssignmentNotice } from './task-assignment';
import { tasksObject } from './tasks.object';
import { taskRoutes } from './tasks.routes';

export { recordAnswers } from './invitations';

/** Tasks and meetings, the agenda and calendar feed, assignment notifications, reminders and meeting invitations (iTIP). */
export const tasksModule = defineModule({
  name: 'tasks',
  objects: [tasksObject, meetingsObject],
  routes: ({ database, records, config }) => taskRoutes({ database, records, baseUrl: config.baseUrl }),
  assignmentNotices: { tasks: taskAssignmentNotice },
  work: activityWork,
  inboundMail: calendarMailHandler,
  triggers: ['meeting.replied'],
});
