import type { FilterNode } from '../../../../common/filter';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import type { HomeCardProps } from '../home-cards';
import { Breakdown } from './Breakdown';
import { HomeCardFrame } from './HomeCardFrame';

/** Open opportunities by stage with totals: a sales rep's own, everyone else's as far as their role sees. */
export function OpportunitiesCard({ ctx }: HomeCardProps) {
  const own = ctx.role === 'sales_rep' && ctx.userId !== null;
  const open: FilterNode = { field: 'status', op: 'eq', value: 'open' };
  const filter: FilterNode = own ? { and: [open, { field: 'ownerId', op: 'eq', value: ctx.userId }] } : open;
  const meta = ctx.objects.find((o) => o.name === 'opportunities');
  // A role that may not see amounts gets counts only (a hidden field cannot be summed).
  const sum = meta?.fields.some((f) => f.name === 'amount') ? 'amount' : undefined;
  return (
    <HomeCardFrame
      id="open-opportunities"
      title={own ? 'My open opportunities' : 'Open opportunities'}
      action={
        <AnchorLink to="/pipeline" size="sm" {...TAPPABLE}>
          Open the board
        </AnchorLink>
      }
    >
      <Breakdown
        object="opportunities"
        groupBy="stageId"
        sum={sum}
        filter={filter}
        noun="open"
        empty={
          own
            ? 'You have no open opportunities. Convert a qualified lead or create one.'
            : 'No open opportunities that your role can see.'
        }
      />
    </HomeCardFrame>
  );
}
