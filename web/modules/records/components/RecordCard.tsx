import { ActionIcon } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { Icon } from '../../../ui/Icon';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import type { RecordData } from '../api/records.api';
import { type CardLayout, embedded, includeFor, recordTitle } from '../utils/fields';
import { formatValue } from '../utils/format';
import classes from './RecordTable.module.css';
import { ValueCell } from './RecordTableCells';

/** A field's value as card text: people and related records by name, never by id. */
function cardText(field: FieldMeta, record: RecordData, objects: ObjectMeta[]): string {
  const value = record[field.name];
  if (value == null || value === '') return '';
  if (field.type === 'user' || field.relation) {
    const related = embedded(record, includeFor(field));
    if (!related) return '';
    if (field.type === 'user') return typeof related.name === 'string' ? related.name : '';
    const target = objects.find((o) => o.name === field.relation?.object);
    return target ? recordTitle(target, related) : '';
  }
  return formatValue(field, value);
}

/**
 * A record on a phone: its title (the link to it), its subtitle (editable in place like a
 * cell), the two most useful fields, and a call and an email button — instead of a table
 * row that scrolls sideways.
 */
export function RecordCard({ meta, record, layout }: { meta: ObjectMeta; record: RecordData; layout: CardLayout }) {
  const objects = useObjects();
  const title = recordTitle(meta, record);
  const subtitleField = meta.fields.find((f) => f.name === meta.subtitleFields[0]);
  const facts = layout.fields.map((f) => cardText(f, record, objects)).filter(Boolean);
  const phone = layout.call ? record[layout.call.name] : null;
  const email = layout.email ? record[layout.email.name] : null;
  return (
    <div className={classes.card} data-testid="record-card">
      <div className={classes.cardText}>
        <Link
          to="/$object/$id"
          params={{ object: meta.name, id: record.id }}
          className={classes.cardTitle}
          data-testid="record-link"
        >
          {title}
        </Link>
        {/* The subtitle as in a table cell: editable in place where the list allows it. */}
        {subtitleField && (
          <div className={classes.cardSubtitle}>
            <ValueCell meta={meta} field={subtitleField} record={record} />
          </div>
        )}
        {facts.length > 0 && <span className={classes.cardLine}>{facts.join(' · ')}</span>}
      </div>
      <div className={classes.cardActions}>
        {typeof phone === 'string' && phone && (
          <ActionIcon component="a" href={`tel:${phone}`} size={40} variant="light" aria-label={`Call ${title}`}>
            <Icon name="phone" />
          </ActionIcon>
        )}
        {typeof email === 'string' && email && (
          <ActionIcon component="a" href={`mailto:${email}`} size={40} variant="light" aria-label={`Email ${title}`}>
            <Icon name="mail" />
          </ActionIcon>
        )}
      </div>
    </div>
  );
}
