import { Group, Select, Textarea, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { answerObjectSupported, unsayableReason } from '../../../../common/ivr-answers';
import { objectsQuery } from '../../objects/api/objects.api';
import type { IvrNode } from '../api/telephony.api';

type AnswerNode = Extract<IvrNode, { kind: 'answer' }>;

interface Props {
  node: AnswerNode;
  onChange: (patch: Partial<AnswerNode>) => void;
}

/** A picker's options, keeping a saved value the list does not offer (the server names what is wrong with it). */
function withCurrent(options: { value: string; label: string }[], current: string) {
  return current && !options.some((o) => o.value === current)
    ? [...options, { value: current, label: current }]
    : options;
}

/**
 * The self-service answer node's source: the object read (the caller's contact, lead or
 * account, or an object related to one of them) and the field said, picked from the
 * workspace's objects (`GET /api/v1/objects`) by the rules the server checks on save
 * (common/ivr-answers.ts: sensitive fields and fields that do not read out as words are not
 * offered); which record and the texts said.
 */
export function AnswerNodeFields({ node, onChange }: Props) {
  const objects = useQuery(objectsQuery).data ?? [];
  const supported = objects.filter((o) => answerObjectSupported(o.name, o.fields));
  const meta = objects.find((o) => o.name === node.object);
  const fields = (meta?.fields ?? []).filter((f) => unsayableReason(f) === null);
  return (
    <>
      <Group gap="sm" align="end" wrap="wrap">
        <Select
          label="Object"
          description="The caller’s contact, lead or account, or an object related to them"
          data={withCurrent(
            supported.map((o) => ({ value: o.name, label: o.labelPlural })),
            node.object,
          )}
          value={node.object || null}
          allowDeselect={false}
          searchable
          // Another object: its own field, and no filter or sort naming the last one's fields.
          onChange={(v) =>
            v && v !== node.object && onChange({ object: v, field: '', filter: undefined, sort: undefined })
          }
          w={260}
        />
        <Select
          label="Field said"
          description="Sensitive fields are never said"
          data={withCurrent(
            fields.map((f) => ({ value: f.name, label: f.label })),
            node.field,
          )}
          value={node.field || null}
          allowDeselect={false}
          searchable
          placeholder="Choose a field"
          onChange={(v) => v && onChange({ field: v })}
          w={220}
        />
        <TextInput
          label="Which record"
          description="A field; - first: newest first"
          value={node.sort ?? '-createdAt'}
          onChange={(e) => onChange({ sort: e.currentTarget.value || undefined })}
          w={180}
        />
      </Group>
      <Textarea
        // A new object starts with no filter: remount so the text follows.
        key={node.object}
        label="Only records matching (filter, JSON)"
        description='E.g. {"field": "status", "op": "eq", "value": "open"}; empty: every record'
        defaultValue={node.filter ? JSON.stringify(node.filter) : ''}
        onBlur={(e) => {
          const text = e.currentTarget.value.trim();
          if (!text) return onChange({ filter: undefined });
          try {
            onChange({ filter: JSON.parse(text) });
          } catch {
            // Left as it was; the server names the problem on save.
          }
        }}
        autosize
        minRows={1}
      />
      <Group gap="sm" align="end" wrap="wrap">
        <TextInput
          label="Said when found"
          description="{{value}} is the field, {{name}} the caller’s first name"
          value={node.say}
          onChange={(e) => onChange({ say: e.currentTarget.value })}
          style={{ flex: 1, minWidth: 240 }}
        />
        <TextInput
          label="Language"
          value={node.language ?? ''}
          onChange={(e) => onChange({ language: e.currentTarget.value || undefined })}
          w={110}
        />
      </Group>
      <TextInput
        label="Said when nothing is found"
        value={node.missing}
        onChange={(e) => onChange({ missing: e.currentTarget.value })}
      />
    </>
  );
}
