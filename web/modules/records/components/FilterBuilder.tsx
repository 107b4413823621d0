import { Alert, Button, Group, Indicator, Modal, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { type FilterNode, MAX_FILTER_DEPTH, MAX_FILTER_LEAVES } from '../../../../common/filter-ops';
import { Icon } from '../../../ui/Icon';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import {
  countConditions,
  type FilterDraft,
  fromDraft,
  newCondition,
  pruneDraft,
  toDraft,
  treeDepth,
} from '../utils/filter-tree';
import { filterTargets, startTarget } from '../utils/filters';
import classes from './FilterBuilder.module.css';
import { FilterGroupEditor } from './FilterGroupEditor';

interface Props {
  meta: ObjectMeta;
  /** The filter tree in effect. */
  value: FilterNode | undefined;
  onApply: (filter: FilterNode | undefined) => void;
}

/**
 * Edits a whole filter tree, as the API takes it: all/any groups nested inside each other,
 * "not" on any group or condition, every operator the API allows for each field, and the
 * fields of related records (one hop: a contact's account's industry).
 */
export function FilterBuilder({ meta, value, onApply }: Props) {
  const objects = useObjects();
  const targets = useMemo(() => filterTargets(meta, objects), [meta, objects]);
  const start = useMemo(() => startTarget(meta, targets), [meta, targets]);
  const narrow = useMediaQuery('(max-width: 36em)');
  // The draft stays until the dialog has faded out, so its content does not vanish first.
  const [opened, setOpened] = useState(false);
  const [draft, setDraft] = useState<FilterDraft | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const count = countConditions(value);

  const open = () => {
    const d = toDraft(value);
    if (d.root.children.length === 0 && start) d.root.children.push(newCondition(start));
    setProblem(null);
    setDraft(d);
    setOpened(true);
  };
  const close = () => setOpened(false);
  const apply = () => {
    if (!draft) return;
    const tree = fromDraft(pruneDraft(draft));
    if (tree && treeDepth(tree) > MAX_FILTER_DEPTH) {
      setProblem(`Filters nest at most ${MAX_FILTER_DEPTH} levels (groups and "not" each count): flatten a group.`);
      return;
    }
    onApply(tree);
    close();
  };
  const leaves = draft ? countConditions(fromDraft(draft)) : 0;

  return (
    <>
      <Indicator label={count} size={16} disabled={count === 0} offset={4}>
        <Button
          variant="default"
          h={40}
          px="sm"
          leftSection={<Icon name="filter" size={16} />}
          onClick={open}
          aria-label="Filter"
          aria-haspopup="dialog"
        >
          <Text span inherit visibleFrom="xs">
            Filter
          </Text>
        </Button>
      </Indicator>
      <Modal
        opened={opened}
        onClose={close}
        onExitTransitionEnd={() => setDraft(null)}
        title={`Filter ${meta.labelPlural.toLowerCase()}`}
        size={800}
        fullScreen={!!narrow}
        closeButtonProps={{ 'aria-label': 'Close the filter', size: 40 }}
      >
        {draft && (
          <div className={classes.tree}>
            <FilterGroupEditor
              group={draft.root}
              depth={0}
              targets={targets}
              start={start}
              noun={meta.labelPlural.toLowerCase()}
              label="Filter conditions"
              canAdd={leaves < MAX_FILTER_LEAVES}
              onChange={(root) => setDraft({ ...draft, root })}
            />
          </div>
        )}
        {problem && (
          <Alert color="red" mt="sm" role="alert">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs" mt="md">
          <Button
            variant="default"
            onClick={() => {
              onApply(undefined);
              close();
            }}
          >
            Clear
          </Button>
          <Button onClick={apply}>Apply</Button>
        </Group>
      </Modal>
    </>
  );
}
