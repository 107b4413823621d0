import { Alert, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { revokeSession, sessionsQuery } from '../api/account.api';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A readable device name from a user agent ("Firefox on Linux"), the raw string when unknown. */
function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : null;
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return browser && system ? `${browser} on ${system}` : userAgent.slice(0, 80);
}

/** The user's signed-in sessions, each with "Sign out", and "Sign out everywhere else". */
export function SessionList() {
  const sessions = useQuery(sessionsQuery);
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const end = async (ids: string[], key: string) => {
    setBusy(key);
    setError(null);
    try {
      for (const id of ids) await revokeSession(id);
    } catch {
      setError('A session could not be signed out; try again.');
    } finally {
      setBusy(null);
      await queryClient.invalidateQueries({ queryKey: sessionsQuery.queryKey });
    }
  };

  if (sessions.isPending) return <Text c="dimmed">Loading your sessions…</Text>;
  if (sessions.isError)
    return (
      <Alert color="red" role="alert">
        Your sessions could not be loaded.
      </Alert>
    );
  const others = sessions.data.filter((s) => !s.current);
  return (
    <Stack>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      <Stack
        component="ul"
        gap="sm"
        aria-label="Signed-in sessions"
        style={{ listStyle: 'none', padding: 0, margin: 0 }}
      >
        {sessions.data.map((s) => (
          <li key={s.id} data-testid="session">
            <Card withBorder padding="sm">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Group gap="xs">
                    <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                      {deviceOf(s.userAgent)}
                    </Text>
                    {s.current && <Badge variant="light">This session</Badge>}
                  </Group>
                  <Text size="sm" c="dimmed">
                    Signed in {when(s.createdAt)} · last seen {when(s.lastSeenAt)}
                    {s.ipAddress ? ` · ${s.ipAddress}` : ''}
                  </Text>
                </Stack>
                {!s.current && (
                  <Button
                    variant="default"
                    size="sm"
                    loading={busy === s.id}
                    onClick={() => end([s.id], s.id)}
                    aria-label={`Sign out ${deviceOf(s.userAgent)}, signed in ${when(s.createdAt)}`}
                  >
                    Sign out
                  </Button>
                )}
              </Group>
            </Card>
          </li>
        ))}
      </Stack>
      {others.length > 0 && (
        <Button
          color="red"
          variant="light"
          loading={busy === 'others'}
          onClick={() =>
            end(
              others.map((s) => s.id),
              'others',
            )
          }
          style={{ alignSelf: 'flex-start' }}
        >
          Sign out everywhere else
        </Button>
      )}
    </Stack>
  );
}
