import { Box, Button, Group } from '@mantine/core';
import { directionsUrl } from '../../../../common/geo-links';
import { Icon } from '../../../ui/Icon';
import type { ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';
import { cardLayout } from '../utils/fields';

/**
 * What a field rep does with a record on a phone — call, email, log the interaction,
 * get directions — in a bar at the bottom of the screen, within thumb reach. Only the
 * actions the record allows (a phone number to call…); nothing on wider screens.
 */
export function ThumbActions({
  meta,
  record,
  onLog,
}: {
  meta: ObjectMeta;
  record: RecordData;
  /** Opens the log-an-interaction dialog; absent when the caller may not log one. */
  onLog?: () => void;
}) {
  const { call, email } = cardLayout(meta);
  const phone = call ? record[call.name] : null;
  const mail = email ? record[email.name] : null;
  const addressField = meta.fields.find((f) => f.type === 'address' && !f.hidden);
  const address = addressField ? record[addressField.name] : null;
  const directions = directionsUrl(address);
  const actions = [
    typeof phone === 'string' && phone ? { label: 'Call', icon: 'phone' as const, href: `tel:${phone}` } : null,
    typeof mail === 'string' && mail ? { label: 'Email', icon: 'mail' as const, href: `mailto:${mail}` } : null,
    directions ? { label: 'Directions', icon: 'pin' as const, href: directions } : null,
  ].filter((a) => a !== null);
  if (actions.length === 0 && !onLog) return null;
  return (
    <>
      {/* Room at the end of the page, so the bar never covers its last lines. */}
      <Box hiddenFrom="sm" h={72} aria-hidden="true" />
      <Box
        component="nav"
        aria-label="Quick actions"
        hiddenFrom="sm"
        data-testid="thumb-actions"
        pos="fixed"
        left={0}
        right={0}
        bottom={0}
        p="xs"
        bg="var(--mantine-color-body)"
        style={{
          zIndex: 150,
          borderTop: '1px solid var(--mantine-color-default-border)',
          paddingBottom: 'calc(var(--mantine-spacing-xs) + env(safe-area-inset-bottom))',
        }}
      >
        <Group gap="xs" grow wrap="nowrap">
          {actions.map((a) => (
            <Button
              key={a.label}
              component="a"
              href={a.href}
              target={a.label === 'Directions' ? '_blank' : undefined}
              rel={a.label === 'Directions' ? 'noopener noreferrer' : undefined}
              variant="light"
              h={48}
              px={4}
              leftSection={<Icon name={a.icon} size={18} />}
            >
              {a.label}
            </Button>
          ))}
          {onLog && (
            <Button h={48} px={4} onClick={onLog} leftSection={<Icon name="log" size={18} />}>
              Log
            </Button>
          )}
        </Group>
      </Box>
    </>
  );
}
