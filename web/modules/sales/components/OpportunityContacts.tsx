import { ActionIcon, Button, Card, Checkbox, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { Icon } from '../../../ui/Icon';
import { AnchorLink } from '../../../ui/links';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import { RecordPicker } from '../../records/components/RecordPicker';
import { recordTitle } from '../../records/utils/fields';
import {
  CONTACT_ROLES,
  getOpportunityContacts,
  type OpportunityContact,
  salesKeys,
  setOpportunityContacts,
} from '../api/sales.api';

/** The people on the deal with their roles: add, change role, make primary, remove. */
export function OpportunityContacts({ opportunityId, editable }: { opportunityId: string; editable: boolean }) {
  const contactsMeta = useObjectMeta('contacts');
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: salesKeys.contacts(opportunityId),
    queryFn: ({ signal }) => getOpportunityContacts(opportunityId, signal),
  });
  const [adding, setAdding] = useState<string | null>(null);
  const [role, setRole] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (next: OpportunityContact[]) => {
    setBusy(true);
    setError(null);
    try {
      const saved = await setOpportunityContacts(
        opportunityId,
        next.map((c) => ({ contactId: c.contactId, role: c.role, isPrimary: c.isPrimary })),
      );
      queryClient.setQueryData(salesKeys.contacts(opportunityId), saved);
      return true;
    } catch (err) {
      setError(err instanceof ApiError ? [err.message, ...err.errors.map((e) => e.message)].join(' — ') : 'Not saved.');
      return false;
    } finally {
      setBusy(false);
    }
  };
  const current = list.data ?? [];
  const title = (c: OpportunityContact) =>
    c.contact && contactsMeta ? recordTitle(contactsMeta, c.contact) : 'A contact you cannot see';

  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="opp-contacts-title">
      <Title order={2} fz="h5" mb="sm" id="opp-contacts-title">
        Contacts
      </Title>
      {list.isPending ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : list.isError ? (
        <Text size="sm" c="red.8" role="alert">
          {list.error.message}
        </Text>
      ) : (
        <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="opportunity-contacts">
          {current.length === 0 && (
            <Text size="sm" c="dimmed" component="li">
              No contacts yet.
            </Text>
          )}
          {current.map((c) => (
            <Stack component="li" key={c.contactId} gap={4}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <AnchorLink
                  to="/$object/$id"
                  params={{ object: 'contacts', id: c.contactId }}
                  size="sm"
                  fw={600}
                  truncate
                >
                  {title(c)}
                </AnchorLink>
                {editable && (
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    size={40}
                    aria-label={`Remove ${title(c)}`}
                    disabled={busy}
                    onClick={() => void save(current.filter((x) => x.contactId !== c.contactId))}
                  >
                    <Icon name="x" size={16} />
                  </ActionIcon>
                )}
              </Group>
              <Group gap="xs" wrap="wrap">
                <Select
                  aria-label={`Role of ${title(c)}`}
                  placeholder="Role"
                  data={CONTACT_ROLES.map((r) => ({ ...r }))}
                  value={c.role}
                  disabled={!editable || busy}
                  onChange={(v) => void save(current.map((x) => (x.contactId === c.contactId ? { ...x, role: v } : x)))}
                  w={180}
                  clearable
                />
                <Checkbox
                  label="Primary"
                  checked={c.isPrimary}
                  disabled={!editable || busy}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    void save(
                      current.map((x) => ({
                        ...x,
                        isPrimary: x.contactId === c.contactId ? on : on ? false : x.isPrimary,
                      })),
                    );
                  }}
                />
              </Group>
            </Stack>
          ))}
        </Stack>
      )}
      {editable && contactsMeta && (
        <Stack gap="xs" mt="md">
          <RecordPicker target={contactsMeta} label="Add a contact" value={adding} onChange={setAdding} />
          <Select label="Role" data={CONTACT_ROLES.map((r) => ({ ...r }))} value={role} onChange={setRole} clearable />
          <Button
            variant="light"
            h={40}
            disabled={!adding || current.some((c) => c.contactId === adding)}
            loading={busy}
            onClick={async () => {
              if (!adding) return;
              const ok = await save([
                ...current,
                // The Select offers CONTACT_ROLES only.
                {
                  contactId: adding,
                  role: role as OpportunityContact['role'],
                  isPrimary: current.length === 0,
                  contact: null,
                },
              ]);
              if (ok) {
                setAdding(null);
                setRole(null);
              }
            }}
          >
            Add contact
          </Button>
        </Stack>
      )}
      {error && (
        <Text size="sm" c="red.8" role="alert" mt="xs">
          {error}
        </Text>
      )}
    </Card>
  );
}
