/**
 * Page shortcuts (`n` on a list, `e` on a record…): pages register what a key does while
 * they are shown; the shell's keyboard layer (useShortcutLayer) asks here first. The last
 * registered page wins, so a page shown over another takes its keys.
 */
export type ShortcutHandler = () => void;

const scopes: Map<string, ShortcutHandler>[] = [];

export function pushScope(scope: Map<string, ShortcutHandler>): () => void {
  scopes.push(scope);
  return () => {
    const i = scopes.lastIndexOf(scope);
    if (i !== -1) scopes.splice(i, 1);
  };
}

/** The handler the current page has for `key`, if any. */
export function pageHandler(key: string): ShortcutHandler | undefined {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const h = scopes[i]?.get(key);
    if (h) return h;
  }
  return undefined;
}

/** True when keys typed into the focused element are text, not commands. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const input = target.closest('input, textarea, select, [role="textbox"], [role="combobox"]');
  if (!input) return false;
  if (input instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(input.type);
  return true;
}
