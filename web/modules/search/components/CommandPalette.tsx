import { Box, Loader, Modal, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useSuspenseQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type KeyboardEvent, useId, useMemo, useState } from 'react';
import { Icon } from '../../../ui/Icon';
import { meQuery } from '../../auth/api/auth.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { useRecentlyViewed } from '../../offline/hooks/useRecentlyViewed';
import { useNavigation } from '../../shell/hooks/useNavigation';
import { goTo } from '../../shell/navigation';
import { useSearch } from '../hooks/useSearch';

interface Item {
  key: string;
  label: string;
  detail: string;
  /** What typing matches, for pages and actions. */
  words?: string;
  go: () => void;
}

/**
 * Ctrl/Cmd-K: open any page or take any action the caller has (the navigation registry,
 * shell/navigation.ts), or search every object and jump to a record.
 */
export function CommandPalette({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  const objects = useObjects();
  const { pages, actions } = useNavigation();
  const search = useSearch(query, { limit: 20 });
  const recent = useRecentlyViewed(useSuspenseQuery(meQuery).data.workspace.id);
  const listId = useId();

  const close = () => {
    onClose();
    setQuery('');
  };

  const items: Item[] = useMemo(() => {
    const labelOf = (object: string) => objects.find((o) => o.name === object)?.label ?? object;
    const commands: Item[] = [
      ...pages.map((p) => ({
        key: `page:${p.key}`,
        label: p.label.startsWith('Administration: ') ? p.label : `Go to ${p.label}`,
        detail: 'Page',
        words: `${p.label} ${p.keywords ?? ''}`,
        go: () => void goTo(navigate, p.link),
      })),
      ...actions.map((a) => ({
        key: `action:${a.key}`,
        label: a.label,
        detail: 'Action',
        words: `${a.label} ${a.keywords ?? ''}`,
        go: () => void goTo(navigate, a.link),
      })),
    ];
    const q = query.trim().toLowerCase();
    if (!q) {
      // Recently viewed first (they open offline too), then every page and action.
      const recentItems = recent.slice(0, 5).map((r) => ({
        key: `recent:${r.object}:${r.id}`,
        label: r.title,
        detail: `${labelOf(r.object)} · Recently viewed`,
        go: () => void navigate({ to: '/$object/$id', params: { object: r.object, id: r.id } }),
      }));
      return [...recentItems, ...commands];
    }
    // Pages and actions whose words start with what was typed come first, then records.
    const terms = q.split(/\s+/);
    const matching = commands.filter((c) => {
      const words = (c.words ?? '').toLowerCase().split(/[\s:]+/);
      return terms.every((t) => words.some((w) => w.startsWith(t)));
    });
    const hits = (search.data ?? []).map((hit) => ({
      key: `${hit.object}:${hit.id}`,
      label: hit.title || 'Untitled',
      detail: [labelOf(hit.object), hit.subtitle].filter(Boolean).join(' · '),
      go: () => void navigate({ to: '/$object/$id', params: { object: hit.object, id: hit.id } }),
    }));
    return [...matching.slice(0, 6), ...hits];
  }, [query, search.data, objects, navigate, recent, pages, actions]);
  const current = Math.min(active, items.length - 1);

  const choose = (item: Item | undefined) => {
    if (!item) return;
    close();
    item.go();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((i) => Math.min(i + 1, items.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(items[current]);
    }
  };

  const searching = query.trim() !== '' && !search.settled;
  return (
    // Modal.Root so the label sits on the dialog itself (Modal's aria-label lands on a role-less wrapper).
    <Modal.Root opened={opened} onClose={close} size="lg" yOffset="10vh" transitionProps={{ duration: 0 }}>
      <Modal.Overlay />
      <Modal.Content aria-label="Search">
        <Modal.Body p={0}>
          <TextInput
            data-autofocus
            size="lg"
            variant="unstyled"
            px="md"
            placeholder="Search records, pages and actions…"
            aria-label="Search records"
            role="combobox"
            aria-expanded={items.length > 0}
            aria-controls={listId}
            aria-activedescendant={items[current] ? `${listId}-${current}` : undefined}
            value={query}
            onChange={(e) => {
              setQuery(e.currentTarget.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
            leftSection={<Icon name="search" />}
            rightSection={searching ? <Loader size="xs" /> : null}
            styles={{ input: { borderBottom: '1px solid var(--mantine-color-default-border)' } }}
          />
          <Box id={listId} role="listbox" aria-label="Results" mah="60vh" style={{ overflowY: 'auto' }} p={6}>
            <Stack gap={2}>
              {items.map((item, i) => (
                <UnstyledButton
                  key={item.key}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === current}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => choose(item)}
                  px="sm"
                  py={6}
                  mih={44}
                  display="block"
                  style={{
                    borderRadius: 'var(--mantine-radius-sm)',
                    background: i === current ? 'var(--mantine-primary-color-light)' : undefined,
                  }}
                >
                  <Text size="sm" fw={500} truncate>
                    {item.label}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {item.detail}
                  </Text>
                </UnstyledButton>
              ))}
              {query.trim() !== '' && search.settled && items.length === 0 && (
                <Text size="sm" c="dimmed" p="sm">
                  {search.isError ? 'Search failed. Try again.' : `Nothing matches “${query.trim()}”.`}
                </Text>
              )}
            </Stack>
          </Box>
        </Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
