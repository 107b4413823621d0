import { Anchor, Badge, Group, Text } from '@mantine/core';
import { AnchorLink } from '../../../ui/links';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { PersonName } from '../../people/components/PersonName';
import type { RecordData } from '../api/records.api';
import { embedded, includeFor, recordTitle } from '../utils/fields';
import { formatValue } from '../utils/format';

const EMPTY = (
  <Text span inherit c="dimmed" aria-label="empty">
    —
  </Text>
);

/** A field's value for reading: links for emails, phones, web addresses and related records; badges for tags. */
export function FieldValue({ field, record }: { field: FieldMeta; record: RecordData }) {
  const objects = useObjects();
  const value = record[field.name];
  if (field.type === 'user') {
    const user = embedded(record, includeFor(field));
    if (user && typeof user.name === 'string')
      return (
        <Text span inherit>
          {user.name}
        </Text>
      );
    if (typeof value === 'string' && value) return <PersonName field={field} id={value} />;
  }
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    return EMPTY;
  }
  switch (field.type) {
    case 'email':
      return (
        <Anchor href={`mailto:${value}`} size="sm">
          {String(value)}
        </Anchor>
      );
    case 'phone':
      return (
        <Anchor href={`tel:${value}`} size="sm">
          {String(value)}
        </Anchor>
      );
    case 'url':
      return (
        <Anchor href={String(value)} target="_blank" rel="noopener noreferrer" size="sm">
          {String(value).replace(/^https?:\/\//, '')}
        </Anchor>
      );
    case 'emails':
    case 'phones':
      return (
        <Group gap={6}>
          {(value as { value: string; label?: string }[]).map((v) => (
            <Anchor key={v.value} href={`${field.type === 'emails' ? 'mailto' : 'tel'}:${v.value}`} size="sm">
              {v.label ? `${v.label}: ${v.value}` : v.value}
            </Anchor>
          ))}
        </Group>
      );
    case 'tags':
    case 'multiSelect':
      return (
        <Group gap={4}>
          {(value as string[]).map((v) => (
            <Badge key={v} variant="light" size="sm" tt="none">
              {field.options?.find((o) => o.value === v)?.label ?? v}
            </Badge>
          ))}
        </Group>
      );
    case 'relation':
      return <RelationValue field={field} record={record} objects={objects} />;
    default:
      return (
        <Text span inherit>
          {formatValue(field, value)}
        </Text>
      );
  }
}

function RelationValue({ field, record, objects }: { field: FieldMeta; record: RecordData; objects: ObjectMeta[] }) {
  const target = objects.find((o) => o.name === field.relation?.object);
  const value = record[field.name];
  const ids = Array.isArray(value) ? (value as string[]) : [String(value)];
  const related = embedded(record, includeFor(field));
  if (!target)
    return (
      <Text span inherit>
        {ids.join(', ')}
      </Text>
    );
  return (
    <Group gap={6}>
      {ids.map((id) => (
        <AnchorLink key={id} to="/$object/$id" params={{ object: target.name, id }} size="sm">
          {related && related.id === id ? recordTitle(target, related) : `${target.label} ${id.slice(-6)}`}
        </AnchorLink>
      ))}
    </Group>
  );
}
