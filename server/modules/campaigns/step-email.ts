import { AppError } from '../../platform/http/errors';
import type { WorkflowStepHandler } from '../../platform/workflow-steps';
import { campaignsSecret } from './email-tokens';
import { sendStepEmail } from './send.service';

/**
 * The `campaign_email` workflow step (sequences' emails, and workflows'): a marketing email to
 * the run's contact or lead as a message of the campaign, through sendStepEmail.
 */
export const campaignEmailStep: WorkflowStepHandler = {
  // The link-signing key lives in the instance's settings: loaded (and cached) outside the
  // step's tenant transaction, which may not read them.
  prepare: async (database) => void (await campaignsSecret(database)),
  async run(tx, input) {
    const { object, recordId, step } = input;
    if ((object !== 'contacts' && object !== 'leads') || !recordId) {
      throw new AppError('validation_failed', 'A campaign email goes to a contact or a lead');
    }
    const sent = await sendStepEmail(
      tx,
      { database: input.database, records: input.records, ...input.mail },
      {
        workspaceId: input.workspaceId,
        campaignId: String(step.campaignId),
        templateId: String(step.templateId),
        senderId: typeof step.senderId === 'string' ? step.senderId : undefined,
        object,
        recordId,
        stepKey: `step:${input.stepRowId}`,
        addedBy: input.actorUserId,
        now: input.now,
      },
    );
    return sent.status === 'sent'
      ? {
          status: 'completed',
          output: {
            to: sent.to,
            subject: sent.subject,
            campaignMessageId: sent.messageId,
            campaignId: step.campaignId,
          },
        }
      : { status: 'skipped', output: { reason: sent.reason, to: sent.to, campaignId: step.campaignId } };
  },
};
