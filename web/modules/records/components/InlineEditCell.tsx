import { Alert, Button, Group, Popover, Stack } from '@mantine/core';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import { type RecordData, updateRecord } from '../api/records.api';
import { type Draft, fromDraft, sameValue, toDraft } from '../utils/form-values';
import { FieldInput } from './FieldInput';
import { FieldValue } from './FieldValue';
import classes from './RecordTable.module.css';

interface Props {
  meta: ObjectMeta;
  field: FieldMeta;
  record: RecordData;
  /** The record as the API saved it. */
  onSaved: (record: RecordData) => void;
  /** Someone saved first (412): the list should fetch the latest version. */
  onStale: () => void;
}

/**
 * A list cell that edits in place: double-click or Enter opens the field's usual input
 * (the same as in forms), Enter or Save sends a PATCH with If-Match, Escape cancels.
 * The API's validation message shows under the input.
 */
export function InlineEditCell({ meta, field, record, onSaved, onStale }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Draft>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const open = () => {
    setDraft(toDraft(field, record[field.name]));
    setError(null);
    setEditing(true);
  };
  const cellRef = useRef<HTMLDivElement>(null);
  const close = () => {
    setEditing(false);
    setError(null);
    // Back to the cell, so the keyboard user carries on from where they were.
    requestAnimationFrame(() => cellRef.current?.focus());
  };
  // A click outside closes the editor, except in portals: the editor's own and the
  // dropdowns of its select inputs, which Mantine renders outside the popover.
  useEffect(() => {
    if (!editing) return;
    const onDown = (e: PointerEvent) => {
      if (!(e.target instanceof Element) || e.target.closest('[data-portal]')) return;
      setEditing(false);
      setError(null);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [editing]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' && e.target === e.currentTarget && !editing) {
      e.preventDefault();
      open();
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const previous = record[field.name];
    const parsed = fromDraft(field, draft, previous);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    if (sameValue(parsed.value, previous)) {
      close();
      return;
    }
    setBusy(true);
    try {
      const saved = await updateRecord(meta.name, record.id, { [field.name]: parsed.value }, `"${record.version}"`);
      onSaved(saved.data);
      close();
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        setError(
          'Someone else changed this record since the list loaded. The list now shows the latest version; try again.',
        );
        onStale();
      } else if (err instanceof ApiError) {
        const mine = err.errors.find((x) => x.path === field.name || x.path.startsWith(`${field.name}.`));
        setError(mine ? mine.message : err.message);
      } else {
        setError('Something went wrong. Please try again.');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={classes.editableWrap}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a spreadsheet-like cell: focus it and press Enter to edit; the edit itself is a form in the popover. */}
      <div
        ref={cellRef}
        className={classes.editable}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: cells are reached with Tab so Enter can edit them.
        tabIndex={0}
        onDoubleClick={open}
        onKeyDown={onKeyDown}
        title="Double-click or press Enter to edit"
        data-testid="editable-cell"
        data-field={field.name}
      >
        <FieldValue field={field} record={record} />
      </div>
      {/* Only the cell being edited carries a popover (a list has hundreds of cells). */}
      {editing && (
        <Popover
          opened
          onChange={(o) => !o && close()}
          closeOnClickOutside={false}
          position="bottom-start"
          width={300}
          trapFocus
          shadow="md"
        >
          <Popover.Target>
            <button type="button" tabIndex={-1} className={classes.editAnchor} aria-label={`Editing ${field.label}`} />
          </Popover.Target>
          <Popover.Dropdown>
            <form onSubmit={submit} noValidate aria-label={`Edit ${field.label}`}>
              <Stack gap="xs">
                <FieldInput field={field} value={draft} onChange={setDraft} error={error ?? undefined} />
                {error && field.type === 'boolean' && (
                  <Alert color="red" p="xs" role="alert">
                    {error}
                  </Alert>
                )}
                <Group justify="flex-end" gap="xs">
                  <Button variant="default" h={40} onClick={close}>
                    Cancel
                  </Button>
                  <Button type="submit" h={40} loading={busy}>
                    Save
                  </Button>
                </Group>
              </Stack>
            </form>
          </Popover.Dropdown>
        </Popover>
      )}
    </div>
  );
}
