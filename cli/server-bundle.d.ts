// Types of cli/server-bundle.js (plain JavaScript: cli/rapport.js loads it before tsx).
export const ROOT: string;
export const BUNDLE: string;
export const MANIFEST: string;
export function hashInputs(files: string[], root?: string): string;
export function isFresh(manifest?: string, bundle?: string, root?: string): boolean;
export function freshBundle(): string | null;
export function buildBundle(opts?: { force?: boolean }): Promise<number>;
