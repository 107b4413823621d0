import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { AnchorLink, ButtonLink } from '../../../ui/links';
import { can } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';
import { type RelatedList, recordTitle } from '../utils/fields';
import { formatValue } from '../utils/format';

/** The id of a related list's section on the record page (the section bar links to it). */
export const relatedSectionId = (include: string) => `related-${include}`;

/**
 * Records that point at this one (an account's contacts, its tasks), with how many
 * there are in all (`count`, from the API; the list embeds at most 100) and a shortcut to add another.
 */
export function RelatedRecords({ record, list, count }: { record: RecordData; list: RelatedList; count?: number }) {
  const items = Array.isArray(record[list.include]) ? (record[list.include] as RecordData[]) : [];
  const total = count ?? items.length;
  // Only offered when the caller may set the field that points back here.
  const via = list.object.fields.find((f) => f.name === list.via && !f.readOnly);
  const subField = list.object.fields.find((f) => f.name === list.object.subtitleFields[0]);
  const subtitle = (r: RecordData) => (subField ? formatValue(subField, r[subField.name]) : '');
  return (
    <Card
      withBorder
      radius="md"
      padding="md"
      component="section"
      aria-label={list.label}
      id={relatedSectionId(list.include)}
    >
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Title order={2} fz="h5">
            {list.label}
          </Title>
          <Badge variant="light" size="sm">
            {total}
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
              {subtitle(r) && (
                <Text size="xs" c="dimmed" truncate style={{ minWidth: 0 }}>
                  {subtitle(r)}
                </Text>
              )}
            </Group>
          ))}
        </Stack>
      )}
      {total > items.length && (
        <Text size="xs" c="dimmed" mt="xs">
          Showing {items.length} of {total}.
        </Text>
      )}
    </Card>
  );
}
