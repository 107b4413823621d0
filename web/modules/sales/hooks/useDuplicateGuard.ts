import { useRef, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { checkDuplicates, type Duplicate } from '../api/sales.api';

const CHECKED = new Set(['contacts', 'accounts', 'leads']);

/**
 * Warns before creating a contact, account or lead that looks like an existing one:
 * the first save with these values asks the API for duplicates and, if it finds any,
 * stops with a message (the list shows beside the form); saving the same values again
 * creates the record anyway. A failed check never blocks creating.
 */
export function useDuplicateGuard(object: string) {
  const [duplicates, setDuplicates] = useState<Duplicate[]>([]);
  const warnedFor = useRef<string | null>(null);
  const check = async (values: Record<string, unknown>) => {
    if (!CHECKED.has(object)) return;
    const key = JSON.stringify(values);
    if (warnedFor.current === key) return;
    let found: Duplicate[];
    try {
      found = await checkDuplicates(object, values);
    } catch {
      return;
    }
    setDuplicates(found);
    if (found.length === 0) return;
    warnedFor.current = key;
    throw new ApiError(
      409,
      'possible_duplicate',
      `This looks like ${found.length === 1 ? 'an existing record' : `${found.length} existing records`} (listed above). Open it instead, or save again to create a new one anyway.`,
    );
  };
  return { duplicates, check };
}
