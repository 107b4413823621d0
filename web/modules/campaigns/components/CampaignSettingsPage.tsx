import { Alert, Button, Group, Radio, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { AdminLoadError, AdminLoading } from '../../admin/components/AdminState';
import {
  campaignSettingsKey,
  getCampaignSettings,
  LAWFUL_BASIS_TEXT,
  type LawfulBasis,
  saveCampaignSettings,
} from '../api/campaigns.api';

const BASES = Object.keys(LAWFUL_BASIS_TEXT) as LawfulBasis[];

/**
 * /admin/marketing: the workspace's lawful basis for marketing email (GDPR art. 6), which
 * decides who a campaign send mails and who it skips for want of consent. Administrators
 * only (the API audits each change); everyone else sees it on the campaign page.
 */
export function CampaignSettingsPage() {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: campaignSettingsKey, queryFn: ({ signal }) => getCampaignSettings(signal) });
  const [basis, setBasis] = useState<LawfulBasis>('consent');
  const [saved, setSaved] = useState(false);
  const errors = useFieldErrors();
  const save = useMutation({
    mutationFn: saveCampaignSettings,
    onMutate: () => {
      setSaved(false);
      errors.clear();
    },
    onSuccess: (data) => {
      client.setQueryData(campaignSettingsKey, data);
      // Who a send would skip depends on it.
      void client.invalidateQueries({ queryKey: ['campaigns'] });
      setSaved(true);
    },
    onError: (err) => errors.show(err),
  });
  useEffect(() => {
    if (settings.data) setBasis(settings.data.marketingLawfulBasis);
  }, [settings.data]);

  if (settings.isPending) return <AdminLoading label="Loading marketing settings" />;
  if (settings.isError)
    return <AdminLoadError error={settings.error} onRetry={() => settings.refetch()} what="marketing settings" />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ marketingLawfulBasis: basis });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Marketing email settings">
      <Stack gap="md" maw={640} p="md">
        <Title order={2} fz="h3">
          Marketing email
        </Title>
        <Radio.Group
          label="Lawful basis for marketing email"
          description="Decides who a campaign or sequence email goes to. Unsubscribed, bounced, suppressed and do-not-contact people are never mailed."
          value={basis}
          onChange={(v) => {
            setBasis(v as LawfulBasis);
            setSaved(false);
          }}
          error={errors.fields.marketingLawfulBasis}
        >
          <Stack gap="sm" mt="xs">
            {BASES.map((b) => (
              <Radio key={b} value={b} label={LAWFUL_BASIS_TEXT[b].label} description={LAWFUL_BASIS_TEXT[b].meaning} />
            ))}
          </Stack>
        </Radio.Group>
        <Text size="sm" c="dimmed">
          Every change is recorded in the audit log.
        </Text>
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        {saved && (
          <Alert color="green" role="status">
            Saved.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} h={40}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
