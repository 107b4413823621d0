import { Badge, Button, Menu, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { ConfirmModal } from '../../../ui/ConfirmModal';
import { Icon } from '../../../ui/Icon';
import { meQuery } from '../../auth/api/auth.api';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import type { SavedView } from '../api/views.api';
import { useSavedViews } from '../hooks/useSavedViews';
import { differsFrom, type ViewState, viewBody } from '../utils/view-state';
import { SaveViewModal } from './SaveViewModal';

interface Props {
  meta: ObjectMeta;
  /** The view in use (its id from the URL), if any. */
  currentId?: string;
  /** What the page shows now. */
  state: ViewState;
  /** Switches to a view (null: the object's default list). */
  onSelect: (view: SavedView | null) => void;
}

type Dialog = 'save' | 'rename' | 'delete' | null;

/** Switch between saved views of a list or board; save the current one (private or shared), rename, delete. */
export function SavedViewPicker({ meta, currentId, state, onSelect }: Props) {
  const { views, create, update, remove } = useSavedViews(meta.name);
  const me = useQuery(meQuery).data;
  const objects = useObjects();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const current = views.find((v) => v.id === currentId) ?? null;
  const mine = views.filter((v) => v.ownerId === me?.user?.id);
  const others = views.filter((v) => v.ownerId !== me?.user?.id);
  const changed = current ? differsFrom(current, meta, objects, state) : false;
  const label = current ? current.name : `All ${meta.labelPlural.toLowerCase()}`;

  const item = (v: SavedView) => (
    <Menu.Item
      key={v.id}
      onClick={() => onSelect(v)}
      rightSection={
        v.shared ? (
          <Badge size="xs" variant="light">
            Shared
          </Badge>
        ) : undefined
      }
      aria-current={v.id === currentId ? 'true' : undefined}
      fw={v.id === currentId ? 600 : undefined}
      mih={40}
    >
      {v.name}
      {v.kind === 'board' && (
        <Text span size="xs" c="dimmed" ml={6}>
          board
        </Text>
      )}
    </Menu.Item>
  );

  return (
    <>
      <Menu position="bottom-start" width={260} shadow="md">
        <Menu.Target>
          <Button
            variant="default"
            h={40}
            px="sm"
            rightSection={<Icon name="down" size={14} />}
            aria-label={`View: ${label}${changed ? ' (changed)' : ''}`}
            data-testid="view-picker"
            maw={{ base: 128, xs: 240 }}
          >
            <Text span inherit truncate>
              {label}
              {changed ? ' *' : ''}
            </Text>
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => onSelect(null)} fw={!current ? 600 : undefined} mih={40}>
            All {meta.labelPlural.toLowerCase()}
          </Menu.Item>
          {mine.length > 0 && <Menu.Label>My views</Menu.Label>}
          {mine.map(item)}
          {others.length > 0 && <Menu.Label>Shared with everyone</Menu.Label>}
          {others.map(item)}
          <Menu.Divider />
          {current?.permissions.update && changed && (
            <Menu.Item
              mih={40}
              onClick={() => {
                setProblem(null);
                update.mutate(
                  { id: current.id, body: viewBody(meta.name, state) },
                  { onError: (err) => setProblem(err instanceof ApiError ? err.message : 'please try again') },
                );
              }}
            >
              Save changes to “{current.name}”
            </Menu.Item>
          )}
          <Menu.Item mih={40} leftSection={<Icon name="plus" size={14} />} onClick={() => setDialog('save')}>
            Save as new view…
          </Menu.Item>
          {current?.permissions.update && (
            <Menu.Item mih={40} leftSection={<Icon name="edit" size={14} />} onClick={() => setDialog('rename')}>
              Rename or share…
            </Menu.Item>
          )}
          {current?.permissions.delete && (
            <Menu.Item
              mih={40}
              color="red"
              leftSection={<Icon name="trash" size={14} />}
              onClick={() => setDialog('delete')}
            >
              Delete view…
            </Menu.Item>
          )}
        </Menu.Dropdown>
      </Menu>
      {problem && (
        <Text size="sm" c="red" role="alert">
          The view was not saved: {problem}
        </Text>
      )}
      {dialog === 'save' && (
        <SaveViewModal
          title={`Save this ${state.board ? 'board' : 'list'} as a view`}
          submitLabel="Save view"
          onClose={() => setDialog(null)}
          onSubmit={async ({ name, shared }) => {
            const saved = await create.mutateAsync({ ...viewBody(meta.name, state), name, shared });
            onSelect(saved);
          }}
        />
      )}
      {dialog === 'rename' && current && (
        <SaveViewModal
          title="Rename or share the view"
          submitLabel="Save"
          initialName={current.name}
          initialShared={current.shared}
          canShare={current.ownerId === me?.user?.id}
          onClose={() => setDialog(null)}
          onSubmit={({ name, shared }) => update.mutateAsync({ id: current.id, body: { name, shared } })}
        />
      )}
      {dialog === 'delete' && current && (
        <ConfirmModal
          title="Delete this view?"
          message={`“${current.name}” will be deleted${current.shared ? ' for everyone' : ''}. The records stay as they are.`}
          confirmLabel="Delete view"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await remove.mutateAsync(current.id);
            onSelect(null);
          }}
        />
      )}
    </>
  );
}
