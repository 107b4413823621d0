/**
 * The workspace this browser works in, for people who belong to several. Sent as the
 * `Rapport-Workspace` header on every API call; absent = the user's default workspace.
 */
const KEY = 'rapport.workspace';

const storage = () => {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the default workspace it is
  }
};

export function chosenWorkspace(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function chooseWorkspace(id: string | null): void {
  if (id) storage()?.setItem(KEY, id);
  else storage()?.removeItem(KEY);
}
