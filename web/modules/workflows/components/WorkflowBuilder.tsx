import { Alert, Button, Card, Group, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import type { ApiError } from '../../../lib/http';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import { FilterBuilder } from '../../records/components/FilterBuilder';
import { countConditions } from '../../records/utils/filter-tree';
import type { Definition, WorkflowInput } from '../api/workflows.api';
import { needsObject } from '../utils/definition';
import { StepList } from './StepList';
import { TriggerEditor } from './TriggerEditor';

interface Props {
  initial: WorkflowInput;
  /** The webhook trigger's address panel (saved workflows). */
  hookAddress?: ReactNode;
  /** Whether the workflow is new (offers "active" at once). */
  isNew: boolean;
  saving: boolean;
  error: ApiError | Error | null;
  onSave: (input: WorkflowInput) => void;
}

/** The builder: name, trigger, conditions (the filter builder), and the list of steps. */
export function WorkflowBuilder({ initial, hookAddress, isNew, saving, error, onSave }: Props) {
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description ?? '');
  const [def, setDef] = useState<Definition>(initial.definition);
  const [active, setActive] = useState(initial.active ?? true);
  const object = needsObject(def.trigger.type) || def.trigger.object ? def.trigger.object : undefined;
  const meta = useObjectMeta(object ?? '');
  const problems = error && 'errors' in error ? (error as ApiError).errors : [];
  return (
    <Stack gap="md" maw={900}>
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Trigger
        </Title>
        <TriggerEditor
          value={def.trigger}
          hookAddress={hookAddress}
          onChange={(trigger) => setDef({ ...def, trigger })}
        />
      </Card>
      {meta && (
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            Conditions
          </Title>
          <Group gap="sm">
            <Text size="sm" c="dimmed">
              {countConditions(def.conditions)
                ? `Only ${meta.labelPlural.toLowerCase()} matching ${countConditions(def.conditions)} condition(s)`
                : `Every ${meta.singular.toLowerCase()}`}
            </Text>
            <FilterBuilder
              meta={meta}
              value={def.conditions}
              onApply={(conditions) => setDef({ ...def, conditions })}
            />
          </Group>
        </Card>
      )}
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Steps
        </Title>
        <StepList steps={def.steps} object={object} label="Steps" onChange={(steps) => setDef({ ...def, steps })} />
      </Card>
      {error && (
        <Alert color="red" title="Not saved">
          {error.message}
          {problems.map((p) => (
            <Text key={p.path} size="sm">
              {p.path}: {p.message}
            </Text>
          ))}
        </Alert>
      )}
      <Group>
        {isNew && <Switch label="Active" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />}
        <Button
          loading={saving}
          onClick={() =>
            onSave({ name, description: description || null, definition: def, ...(isNew ? { active } : {}) })
          }
        >
          Save
        </Button>
      </Group>
    </Stack>
  );
}
