import { Alert, Button, Code, Group, Stack, Switch, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { AdminLoadError, AdminLoading } from '../../admin/components/AdminState';
import { getTrackingSettings, saveTrackingSettings, trackingKeys } from '../api/tracking.api';
import { RecentViews } from './RecentViews';

/** /admin/tracking: the site's script tag, which sites may report, tracking on or off, a new key. */
export function TrackingSettingsPage() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: trackingKeys.settings, queryFn: ({ signal }) => getTrackingSettings(signal) });
  const [enabled, setEnabled] = useState(true);
  const [origins, setOrigins] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const errors = useFieldErrors();
  const save = useMutation({
    mutationFn: saveTrackingSettings,
    onSuccess: (data) => queryClient.setQueryData(trackingKeys.settings, data),
  });
  useEffect(() => {
    if (settings.data) {
      setEnabled(settings.data.enabled);
      setOrigins(settings.data.allowedOrigins.join('\n'));
    }
  }, [settings.data]);

  if (settings.isPending) return <AdminLoading label="Loading tracking settings" />;
  if (settings.isError)
    return <AdminLoadError error={settings.error} onRetry={() => settings.refetch()} what="tracking settings" />;

  const change = (body: Parameters<typeof saveTrackingSettings>[0], done: string) => {
    errors.clear();
    setSaved(null);
    save.mutate(body, { onSuccess: () => setSaved(done), onError: (err) => errors.show(err) });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = origins
      .split(/[\s,]+/)
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean);
    change({ enabled, allowedOrigins: list }, 'Saved.');
  };
  const rotate = () => {
    if (!window.confirm('Issue a new site key? Pages with the old script tag stop reporting until you update them.'))
      return;
    change({ rotateKey: true }, 'New key issued: update the script tag on your site.');
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Website tracking">
      <Stack gap="md" maw={640}>
        <Title order={2} fz="h3">
          Website tracking
        </Title>
        <Text size="sm">
          Put this tag on every page of your site. It records page views and downloads under an anonymous visitor id;
          when a visitor submits a form, their visits appear on the lead or contact. Visitors who send Do-Not-Track or
          Global Privacy Control are never recorded.
        </Text>
        <Code block data-testid="tracking-snippet">
          {settings.data.snippet}
        </Code>
        <Switch
          label="Record visits"
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
          size="md"
        />
        <Textarea
          label="Sites allowed to report"
          description="One per line, such as https://www.example.com. Empty: any site with the tag."
          autosize
          minRows={2}
          value={origins}
          onChange={(e) => setOrigins(e.currentTarget.value)}
          error={errors.fields.allowedOrigins}
        />
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        {saved && (
          <Alert color="green" role="status">
            {saved}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} h={40}>
            Save
          </Button>
          <Button variant="default" color="red" onClick={rotate} h={40}>
            New site key
          </Button>
        </Group>
        <RecentViews />
      </Stack>
    </form>
  );
}
