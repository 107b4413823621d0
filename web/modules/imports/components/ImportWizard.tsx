import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  FileInput,
  Group,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { can, type FieldMeta, objectsQuery } from '../../objects/api/objects.api';
import {
  getImport,
  importKeys,
  previewImport,
  startImport,
  type TImport,
  type TImportPreview,
} from '../api/imports.api';
import { SavedMappingPicker } from './SavedMappingPicker';

type Target = { field: string; by?: 'id' | 'externalId' | 'name' | 'email' };

const SKIP = '';
const ADDRESS_PARTS = [
  ['street', 'Street'],
  ['city', 'City'],
  ['region', 'Region / state'],
  ['postalCode', 'Postal code'],
  ['country', 'Country'],
] as const;

const problemText = (e: unknown) =>
  e instanceof ApiError && e.errors[0] ? `${e.errors[0].path}: ${e.errors[0].message}` : (e as Error).message;

/** The fields a column can go to: writable ones, address parts, the source system's id. */
function targetOptions(fields: FieldMeta[]) {
  const out: { value: string; label: string }[] = [{ value: SKIP, label: 'Do not import' }];
  out.push({ value: '@externalId', label: 'Record id in the other system' });
  for (const f of fields) {
    if (f.readOnly || ['id', 'version', 'createdAt', 'updatedAt'].includes(f.name)) continue;
    if (f.type === 'address') {
      for (const [part, label] of ADDRESS_PARTS) out.push({ value: `address.${part}`, label: `${f.label}: ${label}` });
      continue;
    }
    out.push({ value: f.name, label: f.label });
  }
  return out;
}

/**
 * The import wizard: upload a CSV, XLSX or vCard file for an object (with a HubSpot or
 * Salesforce preset), check the mapping against the first rows (or take a saved one, and
 * save it for next time), try it as a dry run,
 * import, follow the progress, and get the summary with the errors file.
 */
export function ImportWizard() {
  const { data: objects = [] } = useQuery(objectsQuery);
  const importable = objects.filter((o) => can(o, 'create'));
  const [object, setObject] = useState<string | null>('contacts');
  const [preset, setPreset] = useState<string | null>(null);
  const [mode, setMode] = useState<string>('upsert');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<TImportPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, Target | null>>({});
  const [createMissing, setCreateMissing] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const meta = objects.find((o) => o.name === object);
  const options = useMemo(() => targetOptions(meta?.fields ?? []), [meta]);

  const form = (extra: Record<string, string>) => {
    const f = new FormData();
    f.append('object', object ?? '');
    if (preset) f.append('preset', preset);
    for (const [k, v] of Object.entries(extra)) f.append(k, v);
    if (file) f.append('file', file, file.name);
    return f;
  };

  const previewing = useMutation({
    mutationFn: () => previewImport(form({})),
    onSuccess: (p) => {
      setProblem(null);
      setPreview(p);
      setImportId(null);
      setMapping(Object.fromEntries(p.header.map((h) => [h, null])));
      setMapping((m) => ({
        ...m,
        ...Object.fromEntries(p.mapping.map((e) => [e.column, { field: e.field, ...(e.by ? { by: e.by } : {}) }])),
      }));
    },
    onError: (e) => setProblem(problemText(e)),
  });

  const starting = useMutation({
    mutationFn: (dryRun: boolean) =>
      startImport(
        form({
          mode,
          dryRun: String(dryRun),
          createMissing: String(createMissing),
          ...(preview?.format === 'vcard' ? {} : { mapping: JSON.stringify(mapping) }),
        }),
      ),
    onSuccess: (id) => {
      setProblem(null);
      setImportId(id);
    },
    onError: (e) => setProblem(problemText(e)),
  });

  const { data: progress } = useQuery({
    queryKey: importKeys.one(importId ?? 'none'),
    queryFn: ({ signal }) => getImport(importId as string, signal),
    enabled: !!importId,
    refetchInterval: (q) => {
      const s = q.state.data?.status;
      return s === 'completed' || s === 'failed' ? false : 1000;
    },
  });

  return (
    <Stack gap="md" maw={1100}>
      <Title order={1}>Import</Title>
      <Text c="dimmed">
        Bring records from a spreadsheet, another CRM&apos;s export (HubSpot, Salesforce) or a phone&apos;s contacts
        (vCard). Existing records are updated, never duplicated.
      </Text>
      {problem && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}

      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
        <Select
          label="Import into"
          data={importable.map((o) => ({ value: o.name, label: o.labelPlural }))}
          value={object}
          onChange={(v) => {
            setObject(v);
            setPreview(null);
          }}
          allowDeselect={false}
        />
        <Select
          label="Exported from"
          data={[
            { value: '', label: 'A spreadsheet' },
            { value: 'hubspot', label: 'HubSpot' },
            { value: 'salesforce', label: 'Salesforce' },
          ]}
          value={preset ?? ''}
          onChange={(v) => {
            setPreset(v || null);
            setPreview(null);
          }}
          allowDeselect={false}
        />
        <Select
          label="Existing records"
          data={[
            { value: 'upsert', label: 'Update them, add new ones' },
            { value: 'create', label: 'Only add new records' },
            { value: 'update', label: 'Only update them' },
          ]}
          value={mode}
          onChange={(v) => setMode(v ?? 'upsert')}
          allowDeselect={false}
        />
        <FileInput
          label="File"
          placeholder="CSV, XLSX or vCard"
          accept=".csv,.txt,.tsv,.xlsx,.vcf,text/csv,text/vcard,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          value={file}
          onChange={(f) => {
            setFile(f);
            setPreview(null);
          }}
          clearable
          // Named for screen readers and as tall as the field, for a finger.
          clearButtonProps={{ 'aria-label': 'Remove the file', style: { minWidth: 40, minHeight: 40 } }}
        />
      </SimpleGrid>
      <Group>
        <Button onClick={() => previewing.mutate()} disabled={!file || !object} loading={previewing.isPending} mih={40}>
          Preview
        </Button>
      </Group>

      {preview && (
        <Stack gap="sm" data-testid="import-mapping">
          <Title order={2}>Columns</Title>
          {preview.format !== 'vcard' && object && (
            <SavedMappingPicker
              key={`${object}:${preview.header.join('\u0000')}`}
              object={object}
              header={preview.header}
              mapping={mapping}
              suggested={preview.savedMapping}
              onApply={(m) =>
                setMapping(
                  Object.fromEntries(
                    Object.entries(m).map(([h, v]) => [h, typeof v === 'string' ? { field: v } : (v ?? null)]),
                  ),
                )
              }
            />
          )}
          {preview.format === 'vcard' ? (
            <Text>Each card becomes a contact; its organisation links the account of that name.</Text>
          ) : (
            <Table.ScrollContainer minWidth={600}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Column</Table.Th>
                    <Table.Th>First rows</Table.Th>
                    <Table.Th>Goes to</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview.header.map((h) => (
                    <Table.Tr key={h}>
                      <Table.Td>{h}</Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed" lineClamp={2}>
                          {preview.rows
                            .map((r) => r[h] ?? '')
                            .filter(Boolean)
                            .slice(0, 3)
                            .join(' · ')}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Select
                          aria-label={`Field for column ${h}`}
                          data={options}
                          value={mapping[h]?.field ?? SKIP}
                          onChange={(v) =>
                            setMapping((m) => {
                              const f = meta?.fields.find((x) => x.name === v);
                              const by = f?.type === 'relation' ? ('name' as const) : undefined;
                              return { ...m, [h]: v ? { field: v, ...(by ? { by } : {}) } : null };
                            })
                          }
                          searchable
                          allowDeselect={false}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {meta?.fields.some((f) => f.relation?.object === 'accounts') && (
            <Checkbox
              label="Create accounts the file names that do not exist yet"
              checked={createMissing}
              onChange={(e) => setCreateMissing(e.currentTarget.checked)}
            />
          )}
          <Group>
            <Button variant="default" onClick={() => starting.mutate(true)} loading={starting.isPending} mih={40}>
              Try it (dry run)
            </Button>
            <Button onClick={() => starting.mutate(false)} loading={starting.isPending} mih={40}>
              Import
            </Button>
          </Group>
        </Stack>
      )}

      {progress && <ImportProgress state={progress} />}
    </Stack>
  );
}

function ImportProgress({ state }: { state: TImport }) {
  const finished = state.status === 'completed' || state.status === 'failed';
  const { read, created, updated, failed } = state.counts;
  // Without an estimate (XLSX) the bar only shows that the import is working.
  const share = finished || !state.estimatedRows ? 100 : Math.min(100, Math.round((read / state.estimatedRows) * 100));
  return (
    <Stack gap="xs" data-testid="import-progress">
      <Title order={2}>{state.dryRun ? 'Dry run' : 'Import'}</Title>
      <Progress
        value={share}
        animated={!finished}
        striped={!finished}
        color={state.status === 'failed' ? 'red' : undefined}
        aria-label="Import progress"
      />
      <Text role="status">
        {state.status === 'queued' && 'Waiting to start… '}
        {state.status === 'running' && 'Importing… '}
        {state.status === 'completed' && (state.dryRun ? 'Checked: nothing was written. ' : 'Done. ')}
        {state.status === 'failed' && `Stopped: ${state.error ?? 'the import failed'}. `}
        {read.toLocaleString()} rows read, {created.toLocaleString()} {state.dryRun ? 'would be ' : ''}created,{' '}
        {updated.toLocaleString()} {state.dryRun ? 'would be ' : ''}updated, {failed.toLocaleString()} with errors
        {state.accountsCreated
          ? `, ${state.accountsCreated.toLocaleString()} accounts ${state.dryRun ? 'would be ' : ''}created`
          : ''}
        .
      </Text>
      {state.errors > 0 && (
        <Anchor href={state.errorsUrl} download>
          Download the {state.errors.toLocaleString()} errors (CSV: row, column, message)
        </Anchor>
      )}
    </Stack>
  );
}
