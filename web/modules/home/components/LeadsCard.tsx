import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { Breakdown } from './Breakdown';
import { HomeCardFrame } from './HomeCardFrame';

/** Leads still in play by status (new, working, MQL, SQL, nurturing): the marketing funnel at a glance. */
export function LeadsCard() {
  return (
    <HomeCardFrame
      id="leads"
      title="Leads in play"
      action={
        <AnchorLink to="/$object" params={{ object: 'leads' }} size="sm" {...TAPPABLE}>
          All leads
        </AnchorLink>
      }
    >
      <Breakdown
        object="leads"
        groupBy="status"
        filter={{ field: 'status', op: 'nin', value: ['converted', 'disqualified'] }}
        noun="in play"
        empty="No leads in play that your role can see. New leads from forms and imports appear here."
      />
    </HomeCardFrame>
  );
}
