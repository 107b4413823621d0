import { Alert, Button, Group, Select, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { importKeys, listSavedMappings, saveMapping, type TSavedMappingInput, updateMapping } from '../api/imports.api';

type Mapping = TSavedMappingInput['mapping'];

interface Props {
  object: string;
  /** The file's columns. */
  header: string[];
  /** The mapping being edited (column → target or null). */
  mapping: Mapping;
  /** The saved mapping the preview found fitting this file, chosen at once. */
  suggested: { id: string; name: string } | null;
  /** Replaces the mapping being edited. */
  onApply: (mapping: Mapping) => void;
}

/**
 * The wizard's saved mappings: choose one of the object's saved mappings (the one that fits
 * the file's columns is chosen at once), rename the chosen one, or save the mapping being
 * edited under a name.
 */
export function SavedMappingPicker({ object, header, mapping, suggested, onApply }: Props) {
  const queryClient = useQueryClient();
  const { data: saved = [] } = useQuery({
    queryKey: importKeys.mappings(object),
    queryFn: ({ signal }) => listSavedMappings(object, signal),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  /** The new name being typed for the chosen mapping (null: not renaming). */
  const [renaming, setRenaming] = useState<string | null>(null);

  const apply = (id: string | null) => {
    setChosen(id);
    setRenaming(null);
    const m = saved.find((x) => x.id === id);
    if (!m) return;
    // Every column of the file, set from the saved mapping where it names it.
    onApply(Object.fromEntries(header.map((h) => [h, m.mapping[h] ?? null])));
  };

  // The fitting one, once the list has it (a new preview remounts this component).
  // biome-ignore lint/correctness/useExhaustiveDependencies: applied once per preview, when the list arrives
  useEffect(() => {
    if (suggested && chosen === null && saved.some((m) => m.id === suggested.id)) apply(suggested.id);
  }, [suggested, saved]);

  const current = saved.find((m) => m.id === chosen);
  const failed = (e: Error) =>
    setMessage({
      ok: false,
      text: e instanceof ApiError && e.errors[0] ? `${e.errors[0].path}: ${e.errors[0].message}` : e.message,
    });

  const renamingIt = useMutation({
    mutationFn: () => updateMapping(chosen as string, { name: renaming ?? '' }),
    onSuccess: async (m) => {
      setRenaming(null);
      setMessage({ ok: true, text: `Renamed to “${m.name}”.` });
      await queryClient.invalidateQueries({ queryKey: importKeys.mappings(object) });
    },
    onError: failed,
  });

  const saving = useMutation({
    mutationFn: () => saveMapping({ object, name, mapping }),
    onSuccess: async (m) => {
      setName('');
      setChosen(m.id);
      setMessage({ ok: true, text: `Saved as “${m.name}”.` });
      await queryClient.invalidateQueries({ queryKey: importKeys.mappings(object) });
    },
    onError: failed,
  });

  return (
    <>
      <Group align="end" wrap="wrap">
        <Select
          label="Saved mapping"
          placeholder={saved.length ? 'Choose one' : 'None saved yet'}
          data={saved.map((m) => ({ value: m.id, label: m.name }))}
          value={chosen}
          onChange={apply}
          disabled={saved.length === 0}
          clearable
          miw={240}
        />
        {current && renaming === null && (
          <Button variant="default" onClick={() => setRenaming(current.name)} mih={40}>
            Rename
          </Button>
        )}
        {current && renaming !== null && (
          <>
            <TextInput
              label={`New name for “${current.name}”`}
              value={renaming}
              onChange={(e) => setRenaming(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && renaming.trim()) renamingIt.mutate();
                if (e.key === 'Escape') setRenaming(null);
              }}
              maxLength={100}
              data-autofocus
            />
            <Button
              onClick={() => renamingIt.mutate()}
              disabled={!renaming.trim()}
              loading={renamingIt.isPending}
              mih={40}
            >
              Save name
            </Button>
            <Button variant="subtle" onClick={() => setRenaming(null)} mih={40}>
              Cancel
            </Button>
          </>
        )}
        <TextInput
          label="Save this mapping as"
          placeholder="e.g. Old CRM contacts"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          maxLength={100}
        />
        <Button
          variant="default"
          onClick={() => saving.mutate()}
          disabled={!name.trim()}
          loading={saving.isPending}
          mih={40}
        >
          Save mapping
        </Button>
      </Group>
      {suggested && chosen === suggested.id && (
        <Text size="sm" c="dimmed" data-testid="saved-mapping-suggested">
          Using the saved mapping “{current?.name ?? suggested.name}”: its columns are all in this file.
        </Text>
      )}
      {message && (
        <Alert color={message.ok ? 'green' : 'red'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </Alert>
      )}
    </>
  );
}
