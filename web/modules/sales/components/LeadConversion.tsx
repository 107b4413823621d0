import { Alert, Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import { can } from '../../objects/api/objects.api';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import type { RecordData } from '../../records/api/records.api';
import { ConvertLeadDialog } from './ConvertLeadDialog';
import { READABLE_ALERT } from './readable-alert';

/** The Convert button of a lead page. */
export function ConvertLeadButton({ lead }: { lead: RecordData }) {
  const meta = useObjectMeta('leads');
  const [open, setOpen] = useState(false);
  if (!meta || lead.status === 'converted' || !can(meta, 'update')) return null;
  return (
    <>
      <Button onClick={() => setOpen(true)} h={40}>
        Convert
      </Button>
      {open && <ConvertLeadDialog lead={lead} opened={open} onClose={() => setOpen(false)} />}
    </>
  );
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** What a converted lead became, with links. */
export function LeadConversionLinks({ lead }: { lead: RecordData }) {
  if (lead.status !== 'converted') return null;
  const links = [
    { object: 'accounts', id: lead.convertedAccountId, label: 'Account' },
    { object: 'contacts', id: lead.convertedContactId, label: 'Contact' },
    { object: 'opportunities', id: lead.convertedOpportunityId, label: 'Opportunity' },
  ].filter((l): l is { object: string; id: string; label: string } => typeof l.id === 'string');
  return (
    <Alert styles={READABLE_ALERT} color="green" title="Converted" data-testid="lead-converted">
      {typeof lead.convertedAt === 'string' && <Text size="sm">On {when.format(new Date(lead.convertedAt))}.</Text>}
      <Group gap="md" mt={4}>
        {links.map((l) => (
          <AnchorLink
            key={l.object}
            to="/$object/$id"
            params={{ object: l.object, id: l.id }}
            size="sm"
            fw={600}
            c="blue.9"
          >
            {l.label}
          </AnchorLink>
        ))}
      </Group>
    </Alert>
  );
}
