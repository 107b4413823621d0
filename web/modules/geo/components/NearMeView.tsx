import { Alert, Anchor, Button, Card, Group, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { addressPoint, directionsUrl, geoUri } from '../../../../common/geo-links';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { useObjects } from '../../objects/hooks/useObjects';
import { recordTitle } from '../../records/utils/fields';
import { formatValue } from '../../records/utils/format';
import { geoKeys, getNear } from '../api/geo.api';
import { MAP_OBJECTS } from './MapView';

const RADII = ['5', '10', '25', '50', '100', '250'];

type Position = { lat: number; lng: number };

/**
 * Prospects near me (a field rep planning visits, on a phone): the browser's position,
 * then the accounts, contacts or leads within a radius, nearest first, each with its
 * distance, a `geo:` link (the phone's maps app) and a directions link.
 */
export function NearMeView() {
  const objects = useObjects();
  const choices = MAP_OBJECTS.filter((o) => objects.some((m) => m.name === o));
  const [object, setObject] = useState<string>(choices[0] ?? 'accounts');
  const [radius, setRadius] = useState('25');
  const [position, setPosition] = useState<Position | null>(null);
  const [locating, setLocating] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const meta = objects.find((o) => o.name === object);
  const near = useQuery({
    queryKey: geoKeys.near(object, position?.lat ?? 0, position?.lng ?? 0, Number(radius)),
    queryFn: ({ signal }) =>
      getNear(object, position as Position, Number(radius), [...(meta?.titleFields ?? []), 'address'], signal),
    enabled: !!position && !!meta,
  });

  const locate = () => {
    if (!('geolocation' in navigator)) {
      setProblem('This browser cannot tell where you are.');
      return;
    }
    setLocating(true);
    setProblem(null);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLocating(false);
        setPosition({
          lat: Math.round(p.coords.latitude * 1e5) / 1e5,
          lng: Math.round(p.coords.longitude * 1e5) / 1e5,
        });
      },
      (err) => {
        setLocating(false);
        setProblem(
          err.code === err.PERMISSION_DENIED
            ? 'Allow this site to use your location to list what is near you.'
            : 'Your position could not be found; try again.',
        );
      },
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 60_000 },
    );
  };

  return (
    <Stack gap="md" maw={720}>
      <Title order={2}>Near me</Title>
      <Group gap="sm" wrap="wrap" align="end">
        <SegmentedControl
          aria-label="What to list"
          value={object}
          onChange={setObject}
          data={choices.map((o) => ({ value: o, label: objects.find((m) => m.name === o)?.labelPlural ?? o }))}
        />
        <Select
          label="Within"
          value={radius}
          onChange={(v) => setRadius(v ?? '25')}
          data={RADII.map((r) => ({ value: r, label: `${r} km` }))}
          allowDeselect={false}
          w={120}
        />
        <Button onClick={locate} loading={locating} mih={40}>
          {position ? 'Update my position' : 'Use my position'}
        </Button>
      </Group>
      {problem ? <Alert color="yellow">{problem}</Alert> : null}
      {position && near.data ? (
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="near-count">
          {near.data.length === 0
            ? `No ${meta?.labelPlural.toLowerCase()} within ${radius} km.`
            : `${near.data.length}${near.data.length === 100 ? '+' : ''} ${meta?.labelPlural.toLowerCase()} within ${radius} km, nearest first`}
        </Text>
      ) : null}
      <Stack gap="xs" component="ol" p={0} m={0} style={{ listStyle: 'none' }}>
        {(near.data ?? []).map((r) => {
          const point = addressPoint(r.address);
          const title = meta ? recordTitle(meta, r) : String(r.id);
          const addressField = meta?.fields.find((f) => f.name === 'address');
          return (
            <Card component="li" key={String(r.id)} withBorder padding="sm">
              <Group justify="space-between" wrap="nowrap" align="start">
                <Stack gap={2}>
                  <AnchorLink to="/$object/$id" params={{ object, id: String(r.id) }} fw={600} {...TAPPABLE}>
                    {title}
                  </AnchorLink>
                  {addressField ? (
                    <Text size="sm" c="dimmed">
                      {formatValue(addressField, r.address)}
                    </Text>
                  ) : null}
                </Stack>
                <Text fw={600} style={{ whiteSpace: 'nowrap' }}>
                  {typeof r.distanceKm === 'number' ? `${r.distanceKm.toFixed(1)} km` : ''}
                </Text>
              </Group>
              {point ? (
                <Group gap="md" mt={4}>
                  <Anchor href={geoUri(point.lat, point.lng)} size="sm" {...TAPPABLE}>
                    Open in maps
                  </Anchor>
                  <Anchor
                    href={directionsUrl(r.address) ?? undefined}
                    target="_blank"
                    rel="noopener noreferrer"
                    size="sm"
                    {...TAPPABLE}
                  >
                    Directions
                  </Anchor>
                </Group>
              ) : null}
            </Card>
          );
        })}
      </Stack>
    </Stack>
  );
}
