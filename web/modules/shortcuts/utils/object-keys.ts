import type { ObjectMeta } from '../../objects/api/objects.api';

/** Keys after `g` that are not objects: `g h` goes home. */
export const RESERVED_GO_KEYS = new Set(['h']);

/**
 * The letter that follows `g` to open each object's list: the first letter of its plural
 * label not taken yet (accounts → a, contacts → c, campaigns → m…), in metadata order.
 * Objects with no free letter get none.
 */
export function objectKeys(objects: Pick<ObjectMeta, 'name' | 'labelPlural'>[]): Map<string, string> {
  const taken = new Set(RESERVED_GO_KEYS);
  const out = new Map<string, string>();
  for (const o of objects) {
    const letters = `${o.labelPlural}${o.name}`.toLowerCase().replace(/[^a-z]/g, '');
    const key = [...letters].find((c) => !taken.has(c));
    if (!key) continue;
    taken.add(key);
    out.set(key, o.name);
  }
  return out;
}
