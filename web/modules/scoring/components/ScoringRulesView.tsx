import { Alert, Badge, Button, Group, NumberInput, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  createRule,
  deleteRule,
  getRescore,
  getRules,
  getSettings,
  type ScoringRule,
  scoringKeys,
  updateRule,
  updateSettings,
} from '../api/scoring.api';
import { RuleEditor } from './RuleEditor';

const describe = (r: ScoringRule) =>
  r.kind === 'fit'
    ? 'matches a filter'
    : `${r.event}${r.match.path ? ` ${r.match.path}` : ''}${r.match.formId ? ` form ${r.match.formId}` : ''}${r.halfLifeDays ? `, half-life ${r.halfLifeDays} d` : ''}`;

/** Lead scoring's rules, the MQL threshold and the progress of the rescore a change starts. */
export function ScoringRulesView({ canEdit }: { canEdit: boolean }) {
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: scoringKeys.rules, queryFn: ({ signal }) => getRules(signal) });
  const settings = useQuery({ queryKey: scoringKeys.settings, queryFn: ({ signal }) => getSettings(signal) });
  const rescore = useQuery({
    queryKey: scoringKeys.rescore,
    queryFn: ({ signal }) => getRescore(signal),
    refetchInterval: (q) => (q.state.data && ['queued', 'running'].includes(q.state.data.state) ? 1000 : false),
  });
  const [editing, setEditing] = useState<ScoringRule | 'new' | null>(null);
  const [threshold, setThreshold] = useState<number | string>('');
  const [problem, setProblem] = useState<string | null>(null);
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: scoringKeys.rules });
    void queryClient.invalidateQueries({ queryKey: scoringKeys.rescore });
  };
  const r = rescore.data;
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>Lead scoring</Title>
        {canEdit && <Button onClick={() => setEditing('new')}>New rule</Button>}
      </Group>
      {problem && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      {r && (
        <Stack gap={4} data-testid="rescore-progress">
          <Text size="sm">
            Rescore {r.state}: {r.done} of {r.total} records{r.changed ? `, ${r.changed} changed` : ''}
          </Text>
          <Progress value={r.total ? (100 * r.done) / r.total : r.state === 'completed' ? 100 : 0} />
        </Stack>
      )}
      {settings.data && (
        <Group align="flex-end">
          <NumberInput
            label="MQL threshold"
            description={`Grades: A from ${settings.data.grades.A}, B from ${settings.data.grades.B}, C from ${settings.data.grades.C}`}
            value={threshold === '' ? settings.data.mqlThreshold : threshold}
            onChange={setThreshold}
            min={1}
            max={1000000}
            disabled={!canEdit}
          />
          {canEdit && (
            <Button
              variant="default"
              disabled={threshold === '' || Number(threshold) === settings.data.mqlThreshold}
              onClick={async () => {
                try {
                  await updateSettings({ mqlThreshold: Number(threshold) });
                  setThreshold('');
                  void queryClient.invalidateQueries({ queryKey: scoringKeys.settings });
                  changed();
                } catch (e) {
                  setProblem((e as Error).message);
                }
              }}
            >
              Save threshold
            </Button>
          )}
        </Group>
      )}
      <Table data-testid="scoring-rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th ta="right">Points</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(rules.data ?? []).map((rule) => (
            <Table.Tr key={rule.id} opacity={rule.active ? 1 : 0.5}>
              <Table.Td>{rule.name}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={rule.kind === 'fit' ? 'blue' : 'grape'}>
                  {rule.kind}
                </Badge>{' '}
                <Text span size="xs" c="dimmed">
                  {rule.object}
                </Text>
              </Table.Td>
              <Table.Td>{describe(rule)}</Table.Td>
              <Table.Td ta="right">
                {rule.points}
                {rule.cap != null ? ` (max ${rule.cap})` : ''}
              </Table.Td>
              <Table.Td>
                {canEdit && (
                  <Group gap="xs" justify="flex-end">
                    <Button size="xs" variant="default" onClick={() => setEditing(rule)}>
                      Edit
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      color="red"
                      onClick={async () => {
                        await deleteRule(rule.id);
                        changed();
                      }}
                    >
                      Delete
                    </Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {rules.data?.length === 0 && (
        <Text>No rule yet: add a fit rule (who they are) or an engagement rule (what they do).</Text>
      )}
      {editing && (
        <RuleEditor
          rule={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSave={async (body) => {
            if (editing === 'new') await createRule(body);
            else {
              const { kind: _k, object: _o, ...change } = body;
              await updateRule(editing.id, change);
            }
            changed();
          }}
        />
      )}
    </Stack>
  );
}
