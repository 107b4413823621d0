import { Badge, Group, Text, VisuallyHidden } from '@mantine/core';
import { addressPoint, directionsUrl, geoUri } from '../../../../common/geo-links';
import { AnchorLink } from '../../../ui/links';
import type { FieldMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { PersonName } from '../../people/components/PersonName';
import type { RecordData } from '../api/records.api';
import { embedded, includeFor, recordTitle } from '../utils/fields';
import { formatValue } from '../utils/format';
import classes from './FieldValue.module.css';

/** Links a thumb taps on a phone: at least 40 px tall. */
const TAP = { display: 'inline-flex', alignItems: 'center', minHeight: 40 } as const;

// Plain elements with Mantine's own classes: this renders in every empty table cell.
const EMPTY = (
  <span className={classes.dimmed}>
    <span aria-hidden="true">—</span>
    <span className={VisuallyHidden.classes.root}>empty</span>
  </span>
);

/** A field's value for reading: links for emails, phones, web addresses and related records; badges for tags. */
export function FieldValue({
  field,
  record,
  mapLinks = false,
}: {
  field: FieldMeta;
  record: RecordData;
  /** An address with coordinates gets "Open in maps" (geo:) and directions links (the record's own page). */
  mapLinks?: boolean;
}) {
  const value = record[field.name];
  if (field.type === 'user') {
    const user = embedded(record, includeFor(field));
    if (user && typeof user.name === 'string') return <span>{user.name}</span>;
    if (typeof value === 'string' && value) return <PersonName field={field} id={value} />;
  }
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    return EMPTY;
  }
  switch (field.type) {
    case 'email':
      return (
        <a href={`mailto:${value}`} className={classes.link}>
          {String(value)}
        </a>
      );
    case 'phone':
      return (
        <a href={`tel:${value}`} className={classes.link}>
          {String(value)}
        </a>
      );
    case 'url':
      return (
        <a href={String(value)} target="_blank" rel="noopener noreferrer" className={classes.link}>
          {String(value).replace(/^https?:\/\//, '')}
        </a>
      );
    case 'emails':
    case 'phones':
      return (
        <Group gap={6}>
          {(value as { value: string; label?: string }[]).map((v) => (
            <a key={v.value} href={`${field.type === 'emails' ? 'mailto' : 'tel'}:${v.value}`} className={classes.link}>
              {v.label ? `${v.label}: ${v.value}` : v.value}
            </a>
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
      return <RelationValue field={field} record={record} />;
    case 'address': {
      const point = mapLinks ? addressPoint(value) : null;
      if (!point) return <span>{formatValue(field, value)}</span>;
      return (
        <Group gap={8}>
          <span>{formatValue(field, value)}</span>
          <a href={geoUri(point.lat, point.lng)} className={classes.link} style={TAP}>
            Open in maps
          </a>
          <a
            href={directionsUrl(value) ?? undefined}
            target="_blank"
            rel="noopener noreferrer"
            className={classes.link}
            style={TAP}
          >
            Directions
          </a>
        </Group>
      );
    }
    default:
      return <span>{formatValue(field, value)}</span>;
  }
}

// Only relation cells read the objects (a list draws hundreds of cells; each hook is a query subscription).
function RelationValue({ field, record }: { field: FieldMeta; record: RecordData }) {
  const objects = useObjects();
  const target = objects.find((o) => o.name === field.relation?.object);
  const value = record[field.name];
  const ids = Array.isArray(value) ? (value as string[]) : [String(value)];
  const include = includeFor(field);
  const related = embedded(record, include);
  // The server embeds null for a record (or object) the caller may not read: say so, never show its id.
  const noun = target?.singular ?? field.relation?.object.replace(/s$/, '') ?? 'record';
  if (!target || (include && record[include] === null))
    return (
      <Text span size="sm" c="dimmed" fs="italic">
        {ids.length > 1
          ? `${ids.length} restricted ${target?.labelPlural.toLowerCase() ?? 'records'}`
          : `a restricted ${noun}`}
      </Text>
    );
  return (
    <Group gap={6}>
      {ids.map((id) => (
        <AnchorLink key={id} to="/$object/$id" params={{ object: target.name, id }} size="sm">
          {related && related.id === id ? recordTitle(target, related) : `View ${target.singular}`}
        </AnchorLink>
      ))}
    </Group>
  );
}
