/** Alert title in the body text colour: Mantine's light green/yellow titles fall below AA contrast. */
export const READABLE_ALERT = { title: { color: 'var(--mantine-color-text)' } } as const;
