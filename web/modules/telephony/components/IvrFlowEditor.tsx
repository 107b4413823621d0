import { Alert, Button, Group, Menu, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { Icon } from '../../../ui/Icon';
import type { IvrFlowInput, IvrNode, IvrNodeKind } from '../api/telephony.api';
import { NODE_KINDS, newNode, problemsByNode, renameNode } from '../utils/ivr-draft';
import { IvrNodeCard } from './IvrNodeCard';

interface Props {
  initial: IvrFlowInput;
  saving: boolean;
  error: Error | null;
  onSave: (input: IvrFlowInput) => void;
}

/**
 * The IVR flow editor: the flow's nodes (greetings, menus and their keys, branches, queues,
 * voicemail, transfers) as cards. What is saved is checked by the server against the same
 * contract the API takes (IvrDefinitionSchema); its field problems are shown on the node
 * they are about, and nothing is saved until the flow is whole.
 */
export function IvrFlowEditor({ initial, saving, error, onSave }: Props) {
  const [name, setName] = useState(initial.name);
  const [start, setStart] = useState(initial.definition.start);
  const [nodes, setNodes] = useState<IvrNode[]>(initial.definition.nodes);
  const ids = nodes.map((n) => n.id);
  const problems = problemsByNode(error instanceof ApiError ? error.errors : []);
  const add = (kind: IvrNodeKind) => setNodes([...nodes, newNode(kind, ids, start)]);
  return (
    <Stack gap="md" maw={900}>
      <Group gap="sm" align="end" wrap="wrap">
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} w={300} />
        <Select
          label="Calls start at"
          data={ids}
          value={start}
          allowDeselect={false}
          searchable
          onChange={(v) => v && setStart(v)}
          w={260}
        />
      </Group>
      <Stack gap="xs" role="list" aria-label="Nodes">
        {nodes.map((n, i) => (
          <IvrNodeCard
            // Index keys: renaming a node must not remount its card (and lose the focus).
            // biome-ignore lint/suspicious/noArrayIndexKey: nodes are edited in place; the id is editable.
            key={i}
            node={n}
            ids={ids}
            isStart={n.id === start}
            problems={problems.nodes.get(i)}
            onChange={(next) => setNodes(nodes.map((x, j) => (j === i ? next : x)))}
            onRename={(to) => {
              const r = renameNode(nodes, start, n.id, to);
              setNodes(r.nodes);
              setStart(r.start);
            }}
            onRemove={() => setNodes(nodes.filter((_, j) => j !== i))}
          />
        ))}
      </Stack>
      <Menu position="bottom-start">
        <Menu.Target>
          <Button variant="light" leftSection={<Icon name="plus" size={14} />} w="fit-content">
            Add node
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {(Object.keys(NODE_KINDS) as IvrNodeKind[]).map((k) => (
            <Menu.Item key={k} onClick={() => add(k)}>
              {NODE_KINDS[k]}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      {error && (
        <Alert color="red" title="Not saved" role="alert">
          {error.message}
          {problems.flow.map((p) => (
            <Text key={p} size="sm">
              {p}
            </Text>
          ))}
          {problems.nodes.size > 0 && <Text size="sm">The nodes with problems say what is wrong.</Text>}
        </Alert>
      )}
      <Group>
        <Button loading={saving} onClick={() => onSave({ name, definition: { start, nodes } })}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}
