import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { type AppliedMacro, applyMacro, listMacros, serviceDeskKeys } from '../api/service-desk.api';

/** Picks a macro and fills it in for the ticket; the composer gets the text to edit before sending. */
export function MacroPicker({ ticketId, onApply }: { ticketId: string; onApply: (applied: AppliedMacro) => void }) {
  const macros = useQuery({ queryKey: serviceDeskKeys.macros, queryFn: ({ signal }) => listMacros(signal) });
  const [busy, setBusy] = useState(false);
  if (!macros.data?.length) return null;
  return (
    <Select
      label="Macro"
      placeholder="Insert a canned reply"
      data={macros.data.map((m) => ({ value: m.id, label: m.name }))}
      value={null}
      disabled={busy}
      searchable
      w={260}
      onChange={async (id) => {
        if (!id) return;
        setBusy(true);
        try {
          onApply(await applyMacro(ticketId, id));
        } finally {
          setBusy(false);
        }
      }}
    />
  );
}
