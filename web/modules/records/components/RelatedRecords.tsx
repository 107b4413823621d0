import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { AnchorLink, ButtonLink } from '../../../ui/links';
import { can } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';
import { type RelatedList, recordTitle } from '../utils/fields';

/** Records that point at this one (an account's contacts), with a shortcut to add another. */
export function RelatedRecords({ record, list }: { record: RecordData; list: RelatedList }) {
  const items = Array.isArray(record[list.include]) ? (record[list.include] as RecordData[]) : [];
  // Only offered when the caller may set the field that points back here.
  const via = list.object.fields.find((f) => f.name === list.via && !f.readOnly);
  const sub = list.object.subtitleFields[0];
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label={list.label}>
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Title order={2} fz="h5">
            {list.label}
          </Title>
          <Badge variant="light" size="sm">
            {items.length >= 100 ? '100+' : items.length}
          </Badge>
        </Group>
        {via && can(list.object, 'create') && (
          <ButtonLink
            to="/$object/new"
            params={{ object: list.object.name }}
            search={{ prefill: { [via.name]: record.id } }}
            variant="subtle"
            size="compact-sm"
          >
            Add {list.object.singular}
          </ButtonLink>
        )}
      </Group>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          None yet.
        </Text>
      ) : (
        <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
          {items.map((r) => (
            <Group component="li" key={r.id} justify="space-between" wrap="nowrap" mih={40} gap="sm">
              <AnchorLink
                to="/$object/$id"
                params={{ object: list.object.name, id: r.id }}
                size="sm"
                style={{
                  whiteSpace: 'nowrap',
                  flexShrink: 0,
                  minHeight: 40,
                  display: 'inline-flex',
                  alignItems: 'center',
                }}
              >
                {recordTitle(list.object, r)}
              </AnchorLink>
              {sub && typeof r[sub] === 'string' && (
                <Text size="xs" c="dimmed" truncate style={{ minWidth: 0 }}>
                  {String(r[sub])}
                </Text>
              )}
            </Group>
          ))}
        </Stack>
      )}
    </Card>
  );
}
