import { Alert, Button, Group, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import type { Feature, FeatureCollection, Point } from 'geojson';
import {
  type GeoJSONSource,
  Map as MapLibreMap,
  type MapMouseEvent,
  Marker,
  NavigationControl,
  type StyleSpecification,
  setWorkerUrl,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useMemo, useRef, useState } from 'react';
import Supercluster from 'supercluster';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';
import type { FilterNode } from '../../../../common/filter';
import { useObjects } from '../../objects/hooks/useObjects';
import { recordTitle } from '../../records/utils/fields';
import {
  createDrawnTerritory,
  geoKeys,
  getMapConfig,
  getMapRecords,
  getTerritories,
  MAP_LIMIT,
  type TerritoryShape,
} from '../api/geo.api';
import {
  type Drawn,
  distanceKm,
  drawnFilter,
  drawnPolygon,
  drawnShape,
  type LngLat,
  sketch,
  withDrawn,
  withoutDrawn,
} from '../utils/drawing';
import { boundsOf, type MapPoint, toFeatures, toPoints } from '../utils/points';
import classes from './MapView.module.css';

// MapLibre's worker is a file of the build (same origin), not a blob: the app's CSP allows 'self' scripts only.
setWorkerUrl(workerUrl);

export const MAP_OBJECTS = ['accounts', 'contacts', 'leads'] as const;

/** The base map: country shapes bundled with the app (Natural Earth via world-atlas), no tile server; a street layer when configured. */
function baseStyle(tileUrl: string | null): StyleSpecification {
  const topology = world as unknown as Topology<{ countries: GeometryCollection }>;
  const countries = feature(topology, topology.objects.countries);
  return {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: countries },
      territories: { type: 'geojson', data: EMPTY },
      drawn: { type: 'geojson', data: EMPTY },
      sketch: { type: 'geojson', data: EMPTY },
      ...(tileUrl ? { streets: { type: 'raster' as const, tiles: [tileUrl], tileSize: 256 } } : {}),
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#dbe8f3' } },
      ...(tileUrl ? [{ id: 'streets', type: 'raster' as const, source: 'streets' }] : []),
      {
        id: 'land',
        type: 'fill',
        source: 'countries',
        paint: { 'fill-color': '#f6f4ee', 'fill-opacity': tileUrl ? 0 : 1 },
      },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#9aa5b1', 'line-width': 0.7 } },
      // Territories drawn as polygons, the area drawn to filter, and the shape being drawn.
      {
        id: 'territories-fill',
        type: 'fill',
        source: 'territories',
        paint: { 'fill-color': '#7048e8', 'fill-opacity': 0.1 },
      },
      {
        id: 'territories-line',
        type: 'line',
        source: 'territories',
        paint: { 'line-color': '#7048e8', 'line-width': 1.5 },
      },
      { id: 'drawn-fill', type: 'fill', source: 'drawn', paint: { 'fill-color': '#1c7ed6', 'fill-opacity': 0.12 } },
      { id: 'drawn-line', type: 'line', source: 'drawn', paint: { 'line-color': '#1c7ed6', 'line-width': 2 } },
      { id: 'sketch-line', type: 'line', source: 'sketch', paint: { 'line-color': '#e8590c', 'line-width': 2 } },
      {
        id: 'sketch-corners',
        type: 'circle',
        source: 'sketch',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-radius': 4, 'circle-color': '#e8590c' },
      },
    ],
  };
}

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Replaces the features of one of the style's GeoJSON sources. */
const setSource = (map: MapLibreMap | null, source: string, data: FeatureCollection) =>
  (map?.getSource(source) as GeoJSONSource | undefined)?.setData(data);

/** The territories that have a drawn polygon, as map features. */
const territoryFeatures = (territories: TerritoryShape[]): FeatureCollection => ({
  type: 'FeatureCollection',
  features: territories.flatMap((t) =>
    t.area?.polygon ? [{ type: 'Feature' as const, geometry: t.area.polygon, properties: { name: t.name } }] : [],
  ),
});

/** How a territory's area reads in the legend: "drawn", or its regions ("DE", "FR · Rhône", "DE 10…"). */
const areaText = (t: TerritoryShape) =>
  [
    ...(t.area?.polygon ? ['drawn on the map'] : []),
    ...(t.area?.regions ?? []).map(
      (r) => `${r.country}${r.region ? ` · ${r.region}` : ''}${r.postalCodePrefix ? ` ${r.postalCodePrefix}…` : ''}`,
    ),
  ].join(', ');

type Cluster = Feature<
  Point,
  { cluster?: boolean; point_count?: number; cluster_id?: number; id?: string; title?: string }
>;

/**
 * A map of a list: its records with coordinates (the list's filter applies), clustered with
 * supercluster so 100,000 points stay smooth (only the clusters in view are drawn, as
 * buttons: keyboard and screen readers reach them); a cluster zooms in, a marker opens
 * its record.
 */
export function MapView({ object, filter }: { object: string; filter?: FilterNode }) {
  const navigate = useNavigate();
  const objects = useObjects();
  const meta = objects.find((o) => o.name === object);
  const container = useRef<HTMLElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [mode, setMode] = useState<'polygon' | 'circle' | null>(null);
  const [drawing, setDrawing] = useState<Drawn | null>(null);
  const territories = useQuery({ queryKey: geoKeys.territories, queryFn: ({ signal }) => getTerritories(signal) });
  const config = useQuery({ queryKey: geoKeys.config, queryFn: ({ signal }) => getMapConfig(signal) });
  const titleFields = meta?.titleFields ?? ['name'];
  const records = useQuery({
    queryKey: geoKeys.points(object, filter),
    queryFn: ({ signal }) => getMapRecords(object, filter, [...titleFields, 'address'], signal),
    enabled: !!meta,
  });
  const points: MapPoint[] = useMemo(
    () => (meta && records.data ? toPoints(records.data, (r) => recordTitle(meta, r)) : []),
    [meta, records.data],
  );
  const index = useMemo(() => {
    const s = new Supercluster<{ id: string; title: string }>({ radius: 60, maxZoom: 16 });
    s.load(toFeatures(points));
    return s;
  }, [points]);

  // The map itself, once the configuration is known.
  useEffect(() => {
    if (!container.current || config.isPending) return;
    let map: MapLibreMap;
    try {
      map = new MapLibreMap({
        container: container.current,
        style: baseStyle(config.data?.tileUrl ?? null),
        center: [10, 45],
        zoom: 2,
        attributionControl: { compact: true, customAttribution: 'Natural Earth' },
      });
    } catch (err) {
      setFailed(err instanceof Error ? err.message : 'This browser cannot draw maps (WebGL).');
      return;
    }
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    map.on('load', () => setLoaded(true));
    mapRef.current = map;
    return () => {
      map.remove();
      mapRef.current = null;
      setLoaded(false);
    };
  }, [config.isPending, config.data?.tileUrl]);

  // The territories drawn as polygons, and the area the list is filtered by.
  useEffect(() => {
    if (loaded) setSource(mapRef.current, 'territories', territoryFeatures(territories.data ?? []));
  }, [loaded, territories.data]);
  const shape = useMemo(() => drawnShape(filter), [filter]);
  const polygon = useMemo(() => drawnPolygon(filter), [filter]);
  // "Save as territory": the drawn polygon becomes a territory's area (named here).
  const queryClient = useQueryClient();
  const [territoryName, setTerritoryName] = useState('');
  const saveTerritory = useMutation({
    mutationFn: () => createDrawnTerritory(territoryName.trim(), polygon as NonNullable<typeof polygon>),
    onSuccess: async () => {
      setTerritoryName('');
      await queryClient.invalidateQueries({ queryKey: geoKeys.territories });
    },
  });
  useEffect(() => {
    if (loaded) setSource(mapRef.current, 'drawn', shape ? { type: 'FeatureCollection', features: [shape] } : EMPTY);
  }, [loaded, shape]);

  /** A finished drawing becomes the list's filter (AND-ed to the rest of it): the map and "Show as list" use it. */
  const apply = (d: Drawn) => {
    setMode(null);
    setDrawing(null);
    navigate({ to: '/map', search: { object, filter: withDrawn(filter, drawnFilter(d)) } });
  };
  const applyRef = useRef(apply);
  applyRef.current = apply;

  // Drawing: clicks add a polygon's corners, or set a circle's centre and then its edge.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || !mode) return;
    let current: Drawn | null = null;
    const show = (cursor: LngLat | null) => setSource(map, 'sketch', sketch(current, cursor));
    const onClick = (e: MapMouseEvent) => {
      const at: LngLat = [e.lngLat.lng, e.lngLat.lat];
      if (mode === 'polygon') {
        current = { kind: 'polygon', corners: [...(current?.kind === 'polygon' ? current.corners : []), at] };
      } else if (current?.kind === 'circle') {
        const radiusKm = distanceKm(current.centre, at);
        if (radiusKm > 0) applyRef.current({ ...current, radiusKm });
        return;
      } else {
        current = { kind: 'circle', centre: at, radiusKm: 0 };
      }
      setDrawing(current);
      show(null);
    };
    const onMove = (e: MapMouseEvent) => {
      const at: LngLat = [e.lngLat.lng, e.lngLat.lat];
      if (current?.kind === 'circle') {
        setSource(map, 'sketch', sketch({ ...current, radiusKm: distanceKm(current.centre, at) }, null));
      } else if (current) show(at);
    };
    map.doubleClickZoom.disable();
    map.getCanvas().style.cursor = 'crosshair';
    map.on('click', onClick);
    map.on('mousemove', onMove);
    return () => {
      map.off('click', onClick);
      map.off('mousemove', onMove);
      map.doubleClickZoom.enable();
      map.getCanvas().style.cursor = '';
      setSource(map, 'sketch', EMPTY);
    };
  }, [loaded, mode]);

  // Markers: the clusters in view, redrawn as the map moves.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    let markers: Marker[] = [];
    const draw = () => {
      for (const m of markers) m.remove();
      const b = map.getBounds();
      const zoom = Math.round(map.getZoom());
      const clusters = index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom) as Cluster[];
      markers = clusters.map((c) => {
        const [lng, lat] = c.geometry.coordinates as [number, number];
        const el = document.createElement('button');
        el.type = 'button';
        if (c.properties.cluster) {
          const n = c.properties.point_count ?? 0;
          el.className = classes.cluster ?? '';
          el.textContent = n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n);
          el.setAttribute('aria-label', `${n} ${meta?.labelPlural.toLowerCase() ?? 'records'} here: zoom in`);
          el.addEventListener('click', () => {
            const to = index.getClusterExpansionZoom(c.properties.cluster_id as number);
            map.easeTo({ center: [lng, lat], zoom: Math.min(to, 18) });
          });
        } else {
          el.className = classes.marker ?? '';
          el.setAttribute('aria-label', `Open ${c.properties.title}`);
          el.title = c.properties.title ?? '';
          el.dataset.recordId = c.properties.id;
          el.addEventListener('click', () =>
            navigate({ to: '/$object/$id', params: { object, id: c.properties.id as string } }),
          );
        }
        return new Marker({ element: el }).setLngLat([lng, lat]).addTo(map);
      });
    };
    const bounds = boundsOf(points);
    if (bounds) map.fitBounds(bounds, { padding: 60, maxZoom: 10, duration: 0 });
    draw();
    map.on('moveend', draw);
    return () => {
      map.off('moveend', draw);
      for (const m of markers) m.remove();
    };
  }, [index, points, meta, navigate, object]);

  const label = meta?.labelPlural.toLowerCase() ?? object;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Map</Title>
        <SegmentedControl
          aria-label="Records on the map"
          value={object}
          data={MAP_OBJECTS.filter((o) => objects.some((m) => m.name === o)).map((o) => ({
            value: o,
            label: objects.find((m) => m.name === o)?.labelPlural ?? o,
          }))}
          onChange={(value) => navigate({ to: '/map', search: { object: value } })}
        />
      </Group>
      <Text size="sm" c="dimmed" data-testid="map-count" aria-live="polite">
        {records.isPending
          ? `Loading ${label}…`
          : `${points.length.toLocaleString()} ${label} on the map${points.length >= MAP_LIMIT ? ' (the first 20,000)' : ''}${filter ? ', filtered as the list' : ''}`}
      </Text>
      <Group gap="xs" wrap="wrap" data-testid="map-draw">
        {mode ? (
          <>
            <Text size="sm" aria-live="polite">
              {mode === 'polygon'
                ? `Click the map to add corners (${drawing?.kind === 'polygon' ? drawing.corners.length : 0} so far), then finish.`
                : drawing
                  ? "Click the circle's edge."
                  : "Click the circle's centre."}
            </Text>
            {mode === 'polygon' ? (
              <Button
                size="xs"
                disabled={drawing?.kind !== 'polygon' || drawing.corners.length < 3}
                onClick={() => drawing && apply(drawing)}
              >
                Finish the area
              </Button>
            ) : null}
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                setMode(null);
                setDrawing(null);
              }}
            >
              Cancel drawing
            </Button>
          </>
        ) : (
          <>
            <Button size="xs" variant="default" onClick={() => setMode('polygon')} disabled={!loaded}>
              Draw an area
            </Button>
            <Button size="xs" variant="default" onClick={() => setMode('circle')} disabled={!loaded}>
              Draw a circle
            </Button>
            {filter ? (
              <Button
                size="xs"
                variant="light"
                onClick={() => navigate({ to: '/$object', params: { object }, search: { filter } })}
              >
                Show as list
              </Button>
            ) : null}
            {shape ? (
              <Button
                size="xs"
                variant="subtle"
                onClick={() => navigate({ to: '/map', search: { object, filter: withoutDrawn(filter) } })}
              >
                Clear the drawn area
              </Button>
            ) : null}
          </>
        )}
      </Group>
      {polygon && !mode ? (
        <form
          data-testid="map-save-territory"
          onSubmit={(e) => {
            e.preventDefault();
            if (territoryName.trim()) saveTerritory.mutate();
          }}
        >
          <Group gap="xs" align="flex-end" wrap="wrap">
            <TextInput
              size="xs"
              label="Territory name"
              description="Keep the drawn area as a territory: records in it are placed there."
              value={territoryName}
              maxLength={200}
              onChange={(e) => setTerritoryName(e.currentTarget.value)}
            />
            <Button size="xs" type="submit" loading={saveTerritory.isPending} disabled={!territoryName.trim()}>
              Save as territory
            </Button>
          </Group>
          {saveTerritory.error ? (
            <Alert color="red" title="The territory was not saved" mt="xs">
              {saveTerritory.error.message}
            </Alert>
          ) : saveTerritory.isSuccess ? (
            <Text size="sm" c="dimmed" aria-live="polite" mt="xs">
              Territory saved: see it in the legend below.
            </Text>
          ) : null}
        </form>
      ) : null}
      {records.error ? (
        <Alert color="red" title="The map cannot show these records">
          {records.error.message}
        </Alert>
      ) : null}
      {failed ? (
        <Alert color="yellow" title="The map cannot be drawn here">
          {failed}
        </Alert>
      ) : null}
      {/* MapLibre owns the map element's classes: the drawing state goes on a wrapper. */}
      <div className={mode ? classes.drawing : undefined}>
        <section ref={container} className={classes.map} aria-label={`Map of ${label}`} />
      </div>
      {territories.data?.length ? (
        <section aria-label="Territories" data-testid="map-territories">
          <Text size="sm" fw={600}>
            Territories
          </Text>
          <ul className={classes.legend}>
            {territories.data.map((t) => (
              <li key={t.id}>
                <a href={`/territories/${t.id}`}>{t.name}</a>{' '}
                <Text span size="sm" c="dimmed">
                  {areaText(t)}
                </Text>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Stack>
  );
}
