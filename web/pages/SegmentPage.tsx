import { Alert, Button, Group, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import type { FilterNode } from '../../common/filter-ops';
import { ApiError } from '../lib/http';
import { useObjects } from '../modules/objects/hooks/useObjects';
import { createRecord, getRecord, updateRecord, type VersionedRecord } from '../modules/records/api/records.api';
import classes from '../modules/records/components/FilterBuilder.module.css';
import { FilterGroupEditor } from '../modules/records/components/FilterGroupEditor';
import { type FilterDraft, fromDraft, newCondition, pruneDraft, toDraft } from '../modules/records/utils/filter-tree';
import { filterTargets, startTarget } from '../modules/records/utils/filters';
import { SegmentMembers } from '../modules/segments/components/SegmentMembers';
import { SegmentPreviewPanel } from '../modules/segments/components/SegmentPreviewPanel';
import { behaviourTargets } from '../modules/segments/utils/behaviour-targets';

const route = getRouteApi('/_app/segments/$id');
const SEGMENT_OBJECTS = ['contacts', 'leads', 'accounts'];

/** A new segment (`/segments/new`). */
export function NewSegmentPage() {
  return <SegmentEditor saved={null} />;
}

/** A segment: its editor (filter with live count and preview) and its members. */
export function SegmentPage() {
  const { id } = route.useParams();
  const query = useQuery({ queryKey: ['records', 'segments', id, 'editor'], queryFn: () => getRecord('segments', id) });
  if (query.error) return <Alert color="red">{query.error.message}</Alert>;
  if (!query.data) return null;
  return <SegmentEditor key={query.data.etag ?? id} saved={query.data} />;
}

function SegmentEditor({ saved }: { saved: VersionedRecord | null }) {
  const objects = useObjects();
  const navigate = useNavigate();
  const client = useQueryClient();
  const record = saved?.data;
  const [name, setName] = useState(String(record?.name ?? ''));
  const [description, setDescription] = useState(String(record?.description ?? ''));
  const [object, setObject] = useState(String(record?.object ?? 'contacts'));
  const [type, setType] = useState(String(record?.type ?? 'dynamic'));
  const meta = objects.find((o) => o.name === object);
  // Fields, fields of related records, and what people did (visits, forms, emails).
  const targets = useMemo(
    () => (meta ? [...filterTargets(meta, objects), ...behaviourTargets(meta.name)] : []),
    [meta, objects],
  );
  const start = useMemo(() => (meta ? startTarget(meta, targets) : undefined), [meta, targets]);
  const [draft, setDraft] = useState<FilterDraft>(() => {
    const d = toDraft((record?.filter as FilterNode | null) ?? undefined);
    if (d.root.children.length === 0 && start) d.root.children.push(newCondition(start));
    return d;
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const filter = fromDraft(pruneDraft(draft));
  const segmentsMeta = objects.find((o) => o.name === 'segments');
  const canEdit = saved ? !!segmentsMeta?.permissions.update : !!segmentsMeta?.permissions.create;

  const save = async () => {
    setSaving(true);
    setProblem(null);
    const values: Record<string, unknown> = {
      name,
      description: description || null,
      type,
      filter: type === 'dynamic' ? (filter ?? null) : null,
    };
    try {
      if (saved && record) {
        await updateRecord('segments', record.id, values, saved.etag);
        await client.invalidateQueries({ queryKey: ['records', 'segments'] });
      } else {
        const created = await createRecord('segments', { ...values, object });
        await navigate({ to: '/segments/$id', params: { id: created.data.id } });
      }
    } catch (err) {
      setProblem(
        err instanceof ApiError && err.errors.length
          ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ')
          : (err as Error).message,
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack p="md" gap="md" maw={1200}>
      <Title order={2}>{saved ? String(record?.name) : 'New segment'}</Title>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Select
          label="Of"
          data={SEGMENT_OBJECTS.filter((o) => objects.some((m) => m.name === o)).map((o) => ({
            value: o,
            label: objects.find((m) => m.name === o)?.labelPlural ?? o,
          }))}
          value={object}
          disabled={!!saved}
          allowDeselect={false}
          onChange={(v) => {
            if (!v) return;
            setObject(v);
            setDraft(toDraft(undefined));
          }}
        />
        <Select
          label="Type"
          data={[
            { value: 'dynamic', label: 'Dynamic: everyone matching a filter' },
            { value: 'static', label: 'Static: a hand-picked list' },
          ]}
          value={type}
          disabled={!!saved}
          allowDeselect={false}
          onChange={(v) => v && setType(v)}
        />
      </SimpleGrid>
      <Textarea
        label="Description"
        autosize
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
      />
      {type === 'dynamic' && meta && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <div className={classes.tree}>
            <FilterGroupEditor
              group={draft.root}
              depth={0}
              targets={targets}
              start={start}
              noun={meta.labelPlural.toLowerCase()}
              label="Segment conditions"
              canAdd
              onChange={(root) => setDraft({ ...draft, root })}
            />
          </div>
          <SegmentPreviewPanel meta={meta} input={{ object: object as 'contacts', filter: filter ?? null }} />
        </SimpleGrid>
      )}
      {problem && (
        <Alert color="red" role="alert">
          {problem}
        </Alert>
      )}
      {canEdit && (
        <Group>
          <Button onClick={save} loading={saving} disabled={!name.trim()}>
            {saved ? 'Save' : 'Create segment'}
          </Button>
        </Group>
      )}
      {saved && record && meta && (
        <SegmentMembers segmentId={record.id} meta={meta} editable={canEdit && record.type === 'static'} />
      )}
      {!saved && type === 'static' && (
        <Text size="sm" c="dimmed">
          Create the segment, then add members by email here or from a list’s selection.
        </Text>
      )}
    </Stack>
  );
}
