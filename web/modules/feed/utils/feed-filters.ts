/** The feed's type filter choices (the API's `type`, exact or `prefix.*`). */
export const TYPE_FILTERS = [
  { value: '', label: 'All activity' },
  { value: 'message.posted', label: 'Messages' },
  { value: 'comment.created', label: 'Comments and mentions' },
  { value: 'opportunity.won,opportunity.lost', label: 'Won and lost' },
  { value: 'opportunity.*', label: 'Opportunities' },
  { value: 'contact.*', label: 'Contacts' },
  { value: 'account.*', label: 'Accounts' },
  { value: 'lead.*', label: 'Leads' },
  { value: 'quote.*', label: 'Quotes' },
];
