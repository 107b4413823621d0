import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { createTemplate } from '../../platform/mail/templates.service';
import type { RecordService } from '../../platform/records/records.service';
import { WorkflowService } from '../workflows';

/** The demo's mail templates; the first is the welcome workflow's. */
const TEMPLATES = [
  {
    name: 'Welcome — new lead',
    subject: 'Welcome to Acme, {{ record.firstName | default: "there" }}',
    text: [
      'Hi {{ record.firstName | default: "there" }},',
      '',
      'Thanks for your interest in Acme. One of our team will call you within a working day to',
      'understand what you need; meanwhile, our customer stories are at https://acme.example/stories.',
      '',
      'Best regards,',
      '{{ sender.name | default: "The Acme team" }}',
    ].join('\n'),
    html: '<p>Hi {{ record.firstName | default: "there" }},</p><p>Thanks for your interest in Acme. One of our team will call you within a working day to understand what you need; meanwhile, our <a href="https://acme.example/stories">customer stories</a> are worth a look.</p><p>Best regards,<br>{{ sender.name | default: "The Acme team" }}</p>',
  },
  {
    name: 'Meeting follow-up',
    subject: 'Thank you for your time, {{ contact.firstName | default: "" }}',
    text: [
      'Hi {{ contact.firstName | default: "there" }},',
      '',
      'Thank you for meeting us today. As promised, here is a summary of what we discussed and the next steps.',
      '',
      '{{ sender.name | default: "The Acme team" }}',
    ].join('\n'),
    html: '',
  },
  {
    name: 'Quote sent',
    subject: 'Your quote from Acme',
    text: [
      'Hi {{ contact.firstName | default: "there" }},',
      '',
      'Please find our quote attached. It is valid for 30 days; reply to this email with any question.',
      '',
      '{{ sender.name | default: "The Acme team" }}',
    ].join('\n'),
    html: '',
  },
];

/** The demo's mail templates (in the seed's transaction); the welcome template's id. */
export async function seedTemplates(tx: Tx, actor: Actor): Promise<string> {
  let welcomeId = '';
  for (const t of TEMPLATES) {
    const created = await createTemplate(tx, actor, t);
    welcomeId ||= created.id;
  }
  return welcomeId;
}

/**
 * An active workflow: the owner of a lead from the website gets a call task within two
 * days (the welcome emails come from the "Welcome new leads" nurture sequence, which every
 * new lead enters). Created after the demo's own leads (none of them from the website)
 * and as the administrator, whom it then runs as.
 */
export async function seedWelcomeWorkflow(
  deps: { database: Database; records: RecordService },
  actor: Actor,
  _templateId: string,
): Promise<void> {
  await new WorkflowService(deps).create(actor, {
    name: 'Call new website leads',
    description:
      'Asks the owner of every lead from the website to call within two days; the welcome emails come from the "Welcome new leads" sequence.',
    active: true,
    definition: {
      trigger: { type: 'record_created', object: 'leads' },
      conditions: { field: 'source', op: 'eq', value: 'website' },
      steps: [
        {
          id: 'call',
          type: 'create_task',
          title: 'Call {{ record.firstName }} {{ record.lastName }} (new website lead)',
          dueInDays: 2,
          assignTo: 'record_owner',
        },
      ],
    },
  });
}
