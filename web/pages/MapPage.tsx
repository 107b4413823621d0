import { getRouteApi } from '@tanstack/react-router';
import { MapView } from '../modules/geo/components/MapView';
import { NearMeView } from '../modules/geo/components/NearMeView';

const mapRoute = getRouteApi('/_app/map');

/** The map of a list (its own chunk: MapLibre, supercluster and the world's shapes load only here). */
export function MapPage() {
  const { object, filter } = mapRoute.useSearch();
  return <MapView object={object} filter={filter} />;
}

/** Prospects near me: what is within a radius of the phone's position, nearest first. */
export function NearMePage() {
  return <NearMeView />;
}
