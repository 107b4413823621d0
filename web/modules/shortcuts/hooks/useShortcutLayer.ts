import { useNavigate } from '@tanstack/react-router';
import { useEffect, useMemo, useRef } from 'react';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { isTyping, pageHandler } from '../registry';
import { objectKeys } from '../utils/object-keys';

/** How long `g` waits for its second key. */
const SEQUENCE_MS = 1500;

/**
 * The app's single-key shortcuts (listed in the `?` dialog): `g` then a letter goes to an
 * object's list (`g h` home), `?` opens the help, `/` searches, and pages add their own
 * (usePageShortcuts). Never while typing in a field, with Ctrl/Cmd/Alt held, or while a
 * dialog is open (its own keys, and Esc to close it, belong to it).
 */
export function useShortcutLayer(opts: { objects: ObjectMeta[]; openHelp: () => void; openSearch: () => void }) {
  const navigate = useNavigate();
  const goKeys = useMemo(() => objectKeys(opts.objects), [opts.objects]);
  const latest = useRef({ ...opts, goKeys, navigate });
  latest.current = { ...opts, goKeys, navigate };

  useEffect(() => {
    let pendingG = 0;
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || isTyping(e.target)) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const { openHelp, openSearch, goKeys, navigate } = latest.current;
      const key = e.key;
      if (pendingG && Date.now() - pendingG < SEQUENCE_MS) {
        pendingG = 0;
        const object = goKeys.get(key.toLowerCase());
        if (key.toLowerCase() === 'h') {
          e.preventDefault();
          void navigate({ to: '/' });
        } else if (object) {
          e.preventDefault();
          void navigate({ to: '/$object', params: { object } });
        }
        return;
      }
      pendingG = 0;
      if (key === 'g') {
        pendingG = Date.now();
        return;
      }
      if (key === '?') {
        e.preventDefault();
        openHelp();
        return;
      }
      const handler = pageHandler(key);
      if (handler) {
        e.preventDefault();
        handler();
      } else if (key === '/') {
        e.preventDefault();
        openSearch();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  return goKeys;
}
