import { Stack, Tabs, Title } from '@mantine/core';
import { MailboxList } from './MailboxList';
import { OutboxList } from './OutboxList';
import { SuppressionList } from './SuppressionList';
import { TemplateEditor } from './TemplateEditor';

/** /admin/mail: the outbox (held, queued, sent, failed, suppressed), the template editor with live preview, the suppression list, and the mailboxes (support addresses and the team their tickets go to). */
export function MailPage() {
  return (
    <Stack p="md" gap="md">
      <Title order={1} size="h2">
        Mail
      </Title>
      <Tabs defaultValue="outbox" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="outbox">Outbox</Tabs.Tab>
          <Tabs.Tab value="templates">Templates</Tabs.Tab>
          <Tabs.Tab value="suppressions">Suppressions</Tabs.Tab>
          <Tabs.Tab value="mailboxes">Mailboxes</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="outbox" pt="md">
          <OutboxList />
        </Tabs.Panel>
        <Tabs.Panel value="templates" pt="md">
          <TemplateEditor />
        </Tabs.Panel>
        <Tabs.Panel value="suppressions" pt="md">
          <SuppressionList />
        </Tabs.Panel>
        <Tabs.Panel value="mailboxes" pt="md">
          <MailboxList />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
