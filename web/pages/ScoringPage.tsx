import { useSuspenseQuery } from '@tanstack/react-query';
import { meQuery } from '../modules/auth/api/auth.api';
import { ScoringRulesView } from '../modules/scoring/components/ScoringRulesView';

/** Lead scoring: rules, threshold and rescore progress (administrators and marketing managers edit). */
export function ScoringPage() {
  const { data: me } = useSuspenseQuery(meQuery);
  return <ScoringRulesView canEdit={SCORING_EDITORS.has(me.role)} />;
}

const SCORING_EDITORS = new Set(['administrator', 'marketing_manager']);
