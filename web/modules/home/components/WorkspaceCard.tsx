import { Stack, Text } from '@mantine/core';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { HomeCardFrame } from './HomeCardFrame';

/** An administrator's first jobs: people, roles, fields, mail, and what happened. */
const JOBS = [
  { path: 'users', label: 'Invite colleagues', detail: 'Members and invitations' },
  { path: 'roles', label: 'Roles and permissions', detail: 'Who sees and changes what' },
  { path: 'teams', label: 'Teams', detail: 'Group people who share records' },
  { path: 'fields', label: 'Custom fields', detail: 'Fields your business needs' },
  { path: 'mail', label: 'Mail delivery', detail: 'How Rapport sends email' },
  { path: 'audit-log', label: 'Audit log', detail: 'Every change and sign-in' },
];

/** Setting up the workspace: the administration pages an administrator needs first. */
export function WorkspaceCard() {
  return (
    <HomeCardFrame id="workspace" title="Your workspace">
      <Stack gap={2}>
        {JOBS.map((j) => (
          <div key={j.path}>
            <AnchorLink to="/admin/$" params={{ _splat: j.path }} size="sm" {...TAPPABLE}>
              {j.label}
            </AnchorLink>
            <Text size="xs" c="dimmed" component="span" ml="xs">
              {j.detail}
            </Text>
          </div>
        ))}
      </Stack>
    </HomeCardFrame>
  );
}
