import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../../ui/links';
import { campaignSettingsKey, getCampaignSettings, LAWFUL_BASIS_TEXT } from '../api/campaigns.api';

/**
 * The lawful basis read-only, in one line, where campaigns are sent; administrators get a
 * link to change it. Nothing when the caller may not read it.
 */
export function LawfulBasisNote({ admin }: { admin: boolean }) {
  const settings = useQuery({
    queryKey: campaignSettingsKey,
    queryFn: ({ signal }) => getCampaignSettings(signal),
    retry: false,
  });
  const basis = settings.data?.marketingLawfulBasis;
  if (!basis) return null;
  const text = LAWFUL_BASIS_TEXT[basis];
  return (
    <Text size="sm" c="dimmed" data-testid="lawful-basis">
      Lawful basis for marketing email: <b>{text.label}</b>. {text.meaning}
      {admin && (
        <>
          {' '}
          <AnchorLink to="/admin/$" params={{ _splat: 'marketing' }} underline="always">
            Change
          </AnchorLink>
        </>
      )}
    </Text>
  );
}
