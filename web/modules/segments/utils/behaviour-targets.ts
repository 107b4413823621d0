import { BEHAVIOUR_CONDITION_INFO, type BehaviourConditionInfo } from '../../../../common/behaviour-conditions';
import type { FieldMeta } from '../../objects/api/objects.api';
import type { FilterTarget } from '../../records/utils/filters';
import { EmailEngagedValueInput, SubmittedFormValueInput, VisitedValueInput } from '../components/BehaviourValueInputs';

const INPUTS: Record<BehaviourConditionInfo['name'], FilterTarget['valueInput']> = {
  '@visited': VisitedValueInput,
  '@submittedForm': SubmittedFormValueInput,
  '@emailEngaged': EmailEngagedValueInput,
};

/** What the builder needs of a "field" that is a behaviour condition (none of it is a stored field). */
const fieldOf = (c: BehaviourConditionInfo): FieldMeta => ({
  name: c.name,
  type: 'json',
  label: c.label,
  description: null,
  custom: false,
  required: false,
  unique: false,
  readOnly: true,
  hidden: false,
  options: null,
  relation: null,
  maxLength: null,
  min: null,
  max: null,
  sortable: false,
  filterOperators: c.ops.map((o) => o.op),
});

/** The segment editor's behaviour conditions for records of `object` ("Behaviour" in the Field list). */
export function behaviourTargets(object: string): FilterTarget[] {
  return BEHAVIOUR_CONDITION_INFO.filter((c) => c.objects.includes(object)).map((c) => ({
    path: c.name,
    label: c.label,
    group: 'Behaviour',
    field: fieldOf(c),
    operators: c.ops.map((o) => o.op),
    operatorLabels: Object.fromEntries(c.ops.map((o) => [o.op, o.label])),
    valueInput: INPUTS[c.name],
  }));
}
