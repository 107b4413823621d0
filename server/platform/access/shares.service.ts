import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TCreateShareRequest } from '../../../common/contracts/access';
import type { Actor } from '../auth/actor';
import { isPgError } from '../db/pg-errors';
import { AppError } from '../http/errors';
import type { RecordService } from '../records/records.service';
import type { AccessChanges } from './access-changes';

/** Record sharing: a record opened to a user or a team beyond their record scope (read or edit). */
export class SharesService {
  constructor(private readonly deps: { records: RecordService; changes: AccessChanges }) {}

  /**
   * Shares a record with a member or a team. Whoever may change the record may share it
   * (403 when the role may not update the object, 404 when the record is out of their scope).
   */
  async share(actor: Actor, object: string, recordId: string, body: TCreateShareRequest): Promise<{ id: string }> {
    const id = uuidv7();
    return this.deps.changes.asMember(actor, async (tx) => {
      await this.deps.records.require(tx, actor, object, recordId, 'update');
      try {
        await sql`insert into record_shares (workspace_id, id, object, record_id, user_id, team_id, access, created_by)
          values (${actor.workspaceId}, ${id}, ${object}, ${recordId}, ${body.userId ?? null}, ${body.teamId ?? null},
            ${body.access}, ${actor.userId})`.execute(tx);
      } catch (err) {
        if (isPgError(err, 'foreignKeyViolation'))
          throw new AppError('validation_failed', 'No such member or team', {
            errors: [{ path: body.userId ? 'userId' : 'teamId', message: 'does not exist in this workspace' }],
          });
        if (isPgError(err, 'uniqueViolation')) throw new AppError('already_exists', 'Already shared with them');
        throw err;
      }
      return {
        result: { id },
        audit: {
          action: 'record.shared',
          object,
          recordId,
          detail: { userId: body.userId, teamId: body.teamId, access: body.access },
        },
        stale: {},
      };
    });
  }
}
