import { Group, Text } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import { ButtonLink } from '../../../ui/links';
import { can } from '../../objects/api/objects.api';
import type { HomeCardProps } from '../home-cards';
import { HomeCardFrame } from './HomeCardFrame';

/** What each standard role creates most, first; other roles get the first objects they may create. */
const FIRST: Record<string, string[]> = {
  sales_rep: ['contacts', 'accounts', 'leads', 'opportunities', 'tasks', 'meetings'],
  marketing_manager: ['leads', 'contacts', 'accounts', 'tasks'],
  service_rep: ['contacts', 'interactions', 'tasks', 'meetings'],
  administrator: ['contacts', 'accounts', 'leads', 'opportunities', 'tasks'],
};

/** Shortcuts to create the records the caller's role works with. */
export function CreateCard({ ctx }: HomeCardProps) {
  const creatable = ctx.objects.filter((o) => can(o, 'create'));
  const preferred = FIRST[ctx.role];
  const shown = preferred
    ? preferred.flatMap((name) => creatable.filter((o) => o.name === name))
    : creatable.slice(0, 5);
  return (
    <HomeCardFrame id="create" title="Create">
      {shown.length === 0 ? (
        <Text size="sm" c="dimmed">
          Your role reads records but does not create them.
        </Text>
      ) : (
        <Group gap="xs">
          {shown.map((o) => (
            <ButtonLink
              key={o.name}
              to="/$object/new"
              params={{ object: o.name }}
              variant="default"
              h={40}
              leftSection={<Icon name="plus" size={16} />}
            >
              {`New ${o.singular}`}
            </ButtonLink>
          ))}
        </Group>
      )}
    </HomeCardFrame>
  );
}
