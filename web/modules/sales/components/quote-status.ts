/** Badge colours of quote statuses. */
export const QUOTE_STATUS_COLOR: Record<string, import('./ToneBadge').Tone> = {
  draft: 'gray',
  sent: 'blue',
  accepted: 'green',
  rejected: 'red',
  expired: 'orange',
};
