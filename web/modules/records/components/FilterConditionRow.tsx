import { ActionIcon, Select } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import { useFilterDropdowns } from '../hooks/useFilterDropdowns';
import { type ConditionItem, changeLeaf, negated, toggleNot } from '../utils/filter-tree';
import { type FilterTarget, findTarget, operatorLabel, targetOptions } from '../utils/filters';
import classes from './FilterBuilder.module.css';
import { FilterValueInput } from './FilterValueInput';
import { NotToggle } from './NotToggle';

interface Props {
  item: ConditionItem;
  targets: FilterTarget[];
  /** "Condition 2 of the group", for screen readers. */
  label: string;
  onChange: (item: ConditionItem) => void;
  onRemove: () => void;
}

/** One condition of the filter builder: not, field, operator, value, remove. */
export function FilterConditionRow({ item, targets, label, onChange, onRemove }: Props) {
  const { leaf } = item;
  const dropdowns = useFilterDropdowns();
  const target = findTarget(targets, leaf.field);
  // A path this builder does not offer (a saved view's, say) stays as it is until changed.
  const fieldData = target
    ? targetOptions(targets)
    : [{ group: 'Other', items: [{ value: leaf.field, label: leaf.field }] }, ...targetOptions(targets)];
  const operators = target?.operators ?? [leaf.op];
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset's legend would add a visible heading per row.
    <div className={classes.condition} role="group" aria-label={label} data-testid="filter-condition">
      <div className={classes.not}>
        <NotToggle pressed={negated(item)} onToggle={() => onChange(toggleNot(item))} what="this condition" />
      </div>
      <Select
        comboboxProps={dropdowns}
        className={classes.field}
        aria-label="Field"
        data={fieldData}
        value={target?.path ?? leaf.field}
        searchable
        allowDeselect={false}
        maxDropdownHeight={320}
        onChange={(path) => {
          const t = path ? findTarget(targets, path) : undefined;
          if (t) onChange({ ...item, leaf: { field: t.path, op: t.operators[0] ?? 'eq' } });
        }}
      />
      <Select
        comboboxProps={dropdowns}
        className={classes.op}
        aria-label="Condition"
        data={operators.map((op) => ({ value: op, label: operatorLabel(target, op) }))}
        value={leaf.op}
        allowDeselect={false}
        onChange={(op) => {
          const next = operators.find((o) => o === op);
          if (next) onChange({ ...item, leaf: changeLeaf(leaf, { op: next }) });
        }}
      />
      <div className={classes.value}>
        {target?.valueInput && (
          <target.valueInput
            op={leaf.op}
            value={leaf.value}
            onChange={(value) =>
              onChange({ ...item, leaf: value === undefined ? { field: leaf.field, op: leaf.op } : { ...leaf, value } })
            }
          />
        )}
        {target && !target.valueInput && (
          <FilterValueInput
            target={target}
            op={leaf.op}
            value={leaf.value}
            onChange={(value) =>
              onChange({ ...item, leaf: value === undefined ? { field: leaf.field, op: leaf.op } : { ...leaf, value } })
            }
          />
        )}
      </div>
      <ActionIcon
        className={classes.remove}
        variant="subtle"
        color="gray"
        size={36}
        aria-label="Remove condition"
        onClick={onRemove}
      >
        <Icon name="x" />
      </ActionIcon>
    </div>
  );
}
