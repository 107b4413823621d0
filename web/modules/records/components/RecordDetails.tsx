import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';
import { groupFields } from '../utils/fields';
import { FieldValue } from './FieldValue';

/** Every field of a record, grouped (details, contact information, relations, custom, system). */
export function RecordDetails({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  const fields = meta.fields.filter((f) => f.name !== 'version');
  return (
    <Stack gap="md">
      {groupFields(fields).map((g) => (
        <Card key={g.label} withBorder radius="md" padding="md" component="section" aria-label={g.label}>
          <Title order={2} fz="h5" mb="sm">
            {g.label}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm" component="dl" m={0}>
            {g.fields.map((f) => (
              <div key={f.name} style={{ minWidth: 0 }}>
                <Text component="dt" size="xs" c="dimmed" fw={600}>
                  {f.label}
                </Text>
                <Text component="dd" size="sm" m={0} style={{ overflowWrap: 'anywhere' }} data-field={f.name}>
                  <FieldValue field={f} record={record} mapLinks />
                </Text>
              </div>
            ))}
          </SimpleGrid>
        </Card>
      ))}
    </Stack>
  );
}
