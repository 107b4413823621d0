import { z } from 'zod';
import { RecordSchema } from './records';

/** Contracts of the caller's own staff-directory entry (`/api/v1/staff/me`), shared by server and web app. */

/** Your own staff entry (a staff record), private fields included. */
export const StaffEntrySchema = RecordSchema.extend({ displayName: z.string() });
