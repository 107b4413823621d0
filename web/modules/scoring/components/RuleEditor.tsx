import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { ENGAGEMENT_EVENTS } from '../../../../common/contracts/scoring';
import type { FilterNode } from '../../../../common/filter-ops';
import { ApiError } from '../../../lib/http';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import { FilterBuilder } from '../../records/components/FilterBuilder';
import type { NewScoringRule, ScoringRule } from '../api/scoring.api';

interface Props {
  /** The rule to edit, or null for a new one. */
  rule: ScoringRule | null;
  onClose: () => void;
  onSave: (rule: NewScoringRule) => Promise<unknown>;
}

/** Creates or edits a fit rule (a filter over leads or contacts, with the filter builder) or an engagement rule. */
export function RuleEditor({ rule, onClose, onSave }: Props) {
  const [kind, setKind] = useState<'fit' | 'engagement'>(rule?.kind ?? 'fit');
  const [object, setObject] = useState<'leads' | 'contacts'>(rule?.object ?? 'leads');
  const [name, setName] = useState(rule?.name ?? '');
  const [points, setPoints] = useState<number | string>(rule?.points ?? 10);
  const [cap, setCap] = useState<number | string>(rule?.cap ?? '');
  const [condition, setCondition] = useState<FilterNode | undefined>(rule?.condition ?? undefined);
  const [event, setEvent] = useState<string>(rule?.event ?? 'page.viewed');
  const [path, setPath] = useState(rule?.match.path ?? '');
  const [formId, setFormId] = useState(rule?.match.formId ?? '');
  const [halfLife, setHalfLife] = useState<number | string>(rule?.halfLifeDays ?? 30);
  const [active, setActive] = useState(rule?.active ?? true);
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const meta = useObjectMeta(object);

  const save = async () => {
    const common = {
      name,
      object,
      points: Number(points),
      cap: cap === '' ? null : Number(cap),
      active,
    };
    const body: NewScoringRule =
      kind === 'fit'
        ? { ...common, kind, condition: condition as FilterNode }
        : {
            ...common,
            kind,
            event: event as (typeof ENGAGEMENT_EVENTS)[number],
            match: { ...(path ? { path } : {}), ...(formId ? { formId } : {}) },
            halfLifeDays: halfLife === '' ? null : Number(halfLife),
          };
    setSaving(true);
    setProblem(null);
    try {
      await onSave(body);
      onClose();
    } catch (e) {
      setProblem(
        e instanceof ApiError && e.errors.length
          ? e.errors.map((x) => `${x.path}: ${x.message}`).join('; ')
          : String((e as Error).message),
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={rule ? `Edit rule “${rule.name}”` : 'New scoring rule'} size="lg">
      <Stack>
        {problem && (
          <Alert color="red" role="alert">
            {problem}
          </Alert>
        )}
        {!rule && (
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as 'fit' | 'engagement')}
            data={[
              { value: 'fit', label: 'Fit (who they are)' },
              { value: 'engagement', label: 'Engagement (what they do)' },
            ]}
          />
        )}
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          maxLength={200}
        />
        {!rule && (
          <Select
            label="Scores"
            value={object}
            onChange={(v) => v && setObject(v as 'leads' | 'contacts')}
            data={[
              { value: 'leads', label: 'Leads' },
              { value: 'contacts', label: 'Contacts' },
            ]}
            allowDeselect={false}
          />
        )}
        <Group grow>
          <NumberInput label="Points" required value={points} onChange={setPoints} min={-1000} max={1000} />
          <NumberInput label="Cap (most points per record)" value={cap} onChange={setCap} min={0} max={100000} />
        </Group>
        {kind === 'fit' ? (
          <Group gap="xs">
            <Text size="sm">When the {object === 'leads' ? 'lead' : 'contact'} matches</Text>
            {meta && <FilterBuilder meta={meta} value={condition} onApply={setCondition} />}
          </Group>
        ) : (
          <>
            <Select
              label="Event"
              value={event}
              onChange={(v) => v && setEvent(v)}
              data={ENGAGEMENT_EVENTS.map((e) => ({ value: e, label: e }))}
              allowDeselect={false}
            />
            {event === 'page.viewed' && (
              <TextInput
                label="Page path"
                description="A pattern; * matches anything: /pricing*"
                value={path}
                onChange={(e) => setPath(e.currentTarget.value)}
              />
            )}
            {event === 'form.submitted' && (
              <TextInput
                label="Form id (empty: any form)"
                value={formId}
                onChange={(e) => setFormId(e.currentTarget.value)}
              />
            )}
            <NumberInput
              label="Half-life in days"
              description="Points halve every this many days, continuously (empty: no decay)"
              value={halfLife}
              onChange={setHalfLife}
              min={0.1}
              max={3650}
            />
          </>
        )}
        <Switch label="Active" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={save} loading={saving} disabled={!name.trim() || (kind === 'fit' && !condition)}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
