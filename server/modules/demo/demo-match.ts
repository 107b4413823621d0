import type { Tx } from '../../platform/db/database';
import { runBatch } from '../../platform/records/batch';
import type { RecordService } from '../../platform/records/records.service';
import type { DemoCrew } from './demo-team';

/**
 * Records that show the matching at work (issue 14, items 4 and 5), so a newcomer sees
 * it on the first visit:
 * - the account "Nordlicht" at nordlicht.example: converting the demo lead Mia Kowalski
 *   ("Nordlicht GmbH", mia.kowalski@nordlicht.example) offers it, by company name
 *   without the legal suffix and by the email's domain;
 * - three people at "Harbour & Quay" sharing the company switchboard: the shared number
 *   alone makes none of them a duplicate of another;
 * - "Harbour & Quay", entered again without its domain: same company name once the legal
 *   suffix is set aside, and the same number — a strong candidate with a one-click merge
 *   that keeps both numbers.
 */
export async function seedMatchSamples(tx: Tx, records: RecordService, crew: DemoCrew): Promise<void> {
  const actor = crew.dana.actor;
  const accounts = await runBatch(records, tx, actor, 'accounts', {
    mode: 'create',
    atomic: true,
    records: [
      {
        name: 'Nordlicht',
        domain: 'nordlicht.example',
        website: 'https://www.nordlicht.example',
        industry: 'manufacturing',
        type: 'prospect',
        address: { street: 'Speicherstadt 4', city: 'Hamburg', postalCode: '20457', country: 'DE' },
        tags: ['eu'],
        ownerId: crew.sam.id,
      },
      {
        name: 'Harbour & Quay Ltd',
        domain: 'harbour-quay.example',
        phone: '+44 20 7946 0100',
        industry: 'logistics',
        type: 'customer',
        address: { street: '12 Wapping Lane', city: 'London', postalCode: 'E1W 2RG', country: 'GB' },
        tags: ['key account', 'renewal 2027'],
        ownerId: crew.sam.id,
      },
    ],
  });
  const [, harbour] = accounts.data.map((r) => r.id as string);
  const switchboard = '+44 20 7946 0100';
  await runBatch(records, tx, actor, 'contacts', {
    mode: 'create',
    atomic: true,
    records: [
      ['Oliver', 'Grant', 'Operations director'],
      ['Amelia', 'Shaw', 'Head of procurement'],
      ['Rhys', 'Patel', 'Fleet manager'],
    ].map(([firstName, lastName, title]) => ({
      firstName,
      lastName,
      title,
      email: `${firstName}.${lastName}@harbour-quay.example`.toLowerCase(),
      phone: switchboard,
      accountId: harbour,
      ownerId: crew.sam.id,
    })),
  });
  // Entered again by someone who did not find it: same company, same switchboard.
  await runBatch(records, tx, actor, 'accounts', {
    mode: 'create',
    atomic: true,
    records: [
      {
        name: 'Harbour & Quay',
        phone: switchboard,
        phones: [{ label: 'Accounts payable', value: '+44 20 7946 0199' }],
        type: 'customer',
        address: { city: 'London', country: 'GB' },
        ownerId: crew.jonas.id,
      },
    ],
  });
}
