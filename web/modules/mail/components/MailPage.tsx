import { Stack, Tabs, Title } from '@mantine/core';
import { OutboxList } from './OutboxList';
import { TemplateEditor } from './TemplateEditor';

/** /admin/mail: the outbox (held, queued, sent, failed) and the template editor with live preview. */
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
        </Tabs.List>
        <Tabs.Panel value="outbox" pt="md">
          <OutboxList />
        </Tabs.Panel>
        <Tabs.Panel value="templates" pt="md">
          <TemplateEditor />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
