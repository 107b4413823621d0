import type { ObjectPermission } from '../../platform/access/permissions';
import { defineModule } from '../../platform/modules';
import { staffObject } from './staff.object';
import { staffRoutes } from './staff.routes';

/**
 * The staff directory as every standard role but the administrator sees it:
 * everyone's entry, read only, without the private fields (personal email and phone,
 * home address, date of birth, emergency contact). Members read and change their own
 * private fields through /api/v1/staff/me.
 */
const STAFF_DIRECTORY: ObjectPermission = {
  create: false,
  read: true,
  update: false,
  delete: false,
  scope: 'all',
  fields: {
    personalEmail: 'hidden',
    personalPhone: 'hidden',
    homeAddress: 'hidden',
    dateOfBirth: 'hidden',
    emergencyContact: 'hidden',
  },
};

/** The staff directory: one entry per member, with private fields only they and administrators see. */
export const staffModule = defineModule({
  name: 'staff',
  objects: [staffObject],
  permissions: {
    sales_rep: { staff: STAFF_DIRECTORY },
    marketing_manager: { staff: STAFF_DIRECTORY },
    service_rep: { staff: STAFF_DIRECTORY },
    data_analyst: { staff: STAFF_DIRECTORY },
  },
  routes: staffRoutes,
});
