import { faker } from '@faker-js/faker';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { runBatch } from '../../platform/records/batch';
import type { RecordService } from '../../platform/records/records.service';
import { convertLead } from '../leads';
import { listPipelines } from '../pipelines';
import { standardPriceBookId, upsertEntries } from '../products';
import { acceptQuote, setLines } from '../quotes';
import { backdate, daysAgo } from './backdate';
import type { DemoCrew, DemoPersonKey } from './demo-team';

const PRODUCTS = [
  {
    name: 'Rapport Cloud — seat (annual)',
    sku: 'RC-SEAT-Y',
    family: 'Subscriptions',
    unit: 'seat',
    taxRate: 20,
    eur: '420',
    usd: '480',
  },
  {
    name: 'Rapport Cloud — seat (monthly)',
    sku: 'RC-SEAT-M',
    family: 'Subscriptions',
    unit: 'seat',
    taxRate: 20,
    eur: '39',
    usd: '45',
  },
  {
    name: 'Onboarding package',
    sku: 'SRV-ONB',
    family: 'Services',
    unit: 'package',
    taxRate: 20,
    eur: '2500',
    usd: '2900',
  },
  {
    name: 'Training day (on site)',
    sku: 'SRV-TRN',
    family: 'Services',
    unit: 'day',
    taxRate: 20,
    eur: '1250',
    usd: '1450',
  },
  { name: 'Premium support', sku: 'SUP-PREM', family: 'Support', unit: 'year', taxRate: 20, eur: '3600', usd: '4100' },
];

/** Named leads the demo refers to (index 5, Fjord Foods, is converted). */
const NAMED_LEADS = [
  {
    firstName: 'Mia',
    lastName: 'Kowalski',
    email: 'mia.kowalski@nordlicht.example',
    company: 'Nordlicht GmbH',
    domain: 'nordlicht.example',
    source: 'event',
    status: 'new',
  },
  {
    firstName: 'Omar',
    lastName: 'Haddad',
    email: 'omar@sunbeam-solar.example',
    company: 'Sunbeam Solar',
    domain: 'sunbeam-solar.example',
    source: 'trade_show',
    status: 'working',
  },
  {
    firstName: 'Léa',
    lastName: 'Moreau',
    email: 'lea.moreau@atelier-b.example',
    company: 'Atelier B',
    source: 'referral',
    status: 'mql',
  },
  {
    firstName: 'Kenji',
    lastName: 'Sato',
    email: 'k.sato@harbor-logistics.example',
    company: 'Harbor Logistics',
    domain: 'harbor-logistics.example',
    source: 'advertising',
    status: 'sql',
  },
  {
    firstName: 'Sofia',
    lastName: 'Rossi',
    email: 'sofia@trattoria-rossi.example',
    company: 'Trattoria Rossi',
    source: 'social',
    status: 'nurturing',
  },
  {
    firstName: 'Ingrid',
    lastName: 'Berg',
    email: 'ingrid.berg@fjord-foods.example',
    company: 'Fjord Foods',
    domain: 'fjord-foods.example',
    source: 'partner',
    status: 'sql',
  },
  {
    firstName: 'Tom',
    lastName: 'Baker',
    email: 'tom.baker@freemail.example',
    source: 'cold_call',
    status: 'disqualified',
    disqualifiedReason: 'Student project, no budget',
  },
];

/**
 * How many more leads of each status, uneven as in a real funnel: many new and
 * working ones, fewer qualified. None comes from the website: a website lead starts the
 * demo's welcome workflow, which the seed itself must not set off.
 */
const MORE_LEADS: [status: string, count: number][] = [
  ['new', 8],
  ['working', 6],
  ['mql', 3],
  ['sql', 1],
  ['nurturing', 4],
  ['disqualified', 2],
];
const LEAD_SOURCES = ['referral', 'event', 'advertising', 'advertising', 'email', 'social', 'partner', 'trade_show'];
const LEAD_OWNERS: DemoPersonKey[] = ['sam', 'sam', 'sam', 'jonas', 'jonas', 'priya', 'priya', 'marco'];

function moreLeads() {
  return MORE_LEADS.flatMap(([status, count]) =>
    Array.from({ length: count }, () => {
      const firstName = faker.person.firstName();
      const lastName = faker.person.lastName();
      const company = faker.company.name();
      const domain = `${company
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')}.example`;
      return {
        firstName,
        lastName,
        email: `${firstName}.${lastName}@${domain}`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
        company,
        domain,
        title: faker.person.jobTitle(),
        source: faker.helpers.arrayElement(LEAD_SOURCES),
        status,
        ...(status === 'disqualified' ? { disqualifiedReason: 'No budget this year' } : {}),
      };
    }),
  );
}

/** Open deals of the current pipeline: [stage, name, amount, owner, extra]. */
const OPEN_PLAN: [string, string, string, DemoPersonKey, Record<string, unknown>?][] = [
  ['Qualified', 'Pilot for the sales team', '12000', 'sam'],
  ['Qualified', 'Service desk add-on', '6500', 'priya'],
  ['Proposal', 'Company-wide licences', '84000', 'sam'],
  ['Proposal', 'Renewal and upsell', '21000', 'jonas'],
  ['Negotiation', 'EMEA expansion', '150000', 'sam', { forecastCategory: 'commit' }],
  ['Negotiation', 'Support upgrade', '3600', 'priya', { forecastCategory: 'best_case' }],
  ['Qualified', 'Field team tablets', '18500', 'jonas'],
  ['Qualified', 'Partner portal', '9800', 'priya'],
  ['Qualified', 'Second brand roll-out', '27000', 'sam'],
  ['Qualified', 'Data migration', '4200', 'dana'],
  ['Proposal', 'Call centre seats', '46000', 'priya', { forecastCategory: 'best_case' }],
  ['Proposal', 'Training programme', '7500', 'jonas'],
  ['Negotiation', 'Three-year renewal', '63000', 'priya', { forecastCategory: 'commit' }],
];

const DEAL_NAMES = [
  'Seat expansion',
  'Annual renewal',
  'New department',
  'Onboarding package',
  'Premium support',
  'Regional roll-out',
  'Pilot',
  'Upgrade to annual',
  'Training days',
  'Integration project',
];
/** Who closes deals, uneven: Sam sells most. */
const CLOSERS: DemoPersonKey[] = ['sam', 'sam', 'sam', 'sam', 'priya', 'priya', 'priya', 'jonas', 'jonas', 'dana'];

/**
 * The demo workspace's sales data: a priced product catalogue, leads in every status
 * (uneven, one converted), an open pipeline across the default pipeline's stages and a
 * year of won and lost deals (so deal statistics and forecasts have a history), and
 * quotes, one accepted. Written through the record engine and the sales services, like
 * the API would; only creation and closing dates are set in the past afterwards.
 */
export async function seedSalesSamples(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  crew: DemoCrew,
  accounts: { id: string; ownerKey: DemoPersonKey }[],
): Promise<{ id: string; name: string; ownerKey: DemoPersonKey }[]> {
  const products = await runBatch(records, tx, actor, 'products', {
    mode: 'create',
    atomic: true,
    records: PRODUCTS.map(({ eur: _e, usd: _u, ...p }) => p),
  });
  const productIds = products.data.map((r) => r.id as string);
  const book = await standardPriceBookId(tx);
  if (book) {
    await upsertEntries(
      tx,
      actor.workspaceId,
      book,
      PRODUCTS.flatMap((p, i) => [
        { productId: productIds[i] as string, currency: 'EUR', unitPrice: p.eur },
        { productId: productIds[i] as string, currency: 'USD', unitPrice: p.usd },
      ]),
    );
  }
  const leadBodies = [...NAMED_LEADS, ...moreLeads()].map((l, i) => ({
    ...l,
    ownerId: crew[LEAD_OWNERS[i % LEAD_OWNERS.length] as DemoPersonKey].id,
  }));
  const leads = await runBatch(records, tx, actor, 'leads', { mode: 'create', atomic: true, records: leadBodies });
  const leadIds = leads.data.map((r) => r.id as string);
  await convertLead(tx, records, actor, leadIds[5] as string, {
    opportunity: { name: 'Fjord Foods — fleet rollout', amount: { amount: '48000', currency: 'USD' } },
  });
  // Leads arrived over the last two months, the newest ones still new.
  await backdate(
    tx,
    'leads',
    leadIds.map((id, i) => ({ id, createdAt: daysAgo(Math.max(0, 60 - i * 2)) })),
  );

  const [pipeline] = await listPipelines(tx);
  if (!pipeline) return [];
  const stage = (name: string) => pipeline.stages.find((s) => s.name === name)?.id as string;
  // An account of the owner's where they have one (sales reps see their own records only).
  const accountOf = (owner: DemoPersonKey, i: number) => {
    const mine = accounts.filter((a) => a.ownerKey === owner);
    const from = mine.length > 0 ? mine : accounts;
    return from[i % from.length]?.id;
  };
  const open = await runBatch(records, tx, actor, 'opportunities', {
    mode: 'create',
    atomic: true,
    records: OPEN_PLAN.map(([s, name, amount, owner, extra], i) => ({
      name,
      accountId: accountOf(owner, i),
      ownerId: crew[owner].id,
      stageId: stage(s),
      amount: { amount, currency: 'EUR' },
      expectedCloseDate: new Date(Date.now() + (14 + i * 11) * 86_400_000).toISOString().slice(0, 10),
      ...extra,
    })),
  });

  // A year of closed deals: a few a month, about three won for two lost, amounts from a
  // few hundred to six figures.
  const history = Array.from({ length: 12 }, (_, month) =>
    Array.from({ length: faker.number.int({ min: 2, max: 5 }) }, () => {
      const won = faker.number.float() < 0.6;
      const owner = faker.helpers.arrayElement(CLOSERS);
      const closedDaysAgo = month * 30 + faker.number.int({ min: 1, max: 29 });
      return {
        won,
        owner,
        closedDaysAgo,
        createdDaysAgo: closedDaysAgo + faker.number.int({ min: 14, max: 120 }),
        body: {
          name: faker.helpers.arrayElement(DEAL_NAMES),
          accountId: accountOf(owner, faker.number.int({ min: 0, max: 40 })),
          ownerId: crew[owner].id,
          stageId: stage(won ? 'Closed Won' : 'Closed Lost'),
          amount: {
            amount: String(faker.helpers.arrayElement([800, 2500, 4200, 7500, 12000, 21000, 36000, 84000, 120000])),
            currency: 'EUR',
          },
          expectedCloseDate: daysAgo(closedDaysAgo).toISOString().slice(0, 10),
          ...(won ? {} : { lostReason: faker.helpers.arrayElement(['price', 'competitor', 'no_budget', 'timing']) }),
        },
      };
    }),
  ).flat();
  const closed = await runBatch(records, tx, actor, 'opportunities', {
    mode: 'create',
    atomic: true,
    records: history.map((h) => h.body),
  });
  await backdate(tx, 'opportunities', [
    ...open.data.map((r, i) => ({ id: r.id as string, createdAt: daysAgo(5 + ((i * 17) % 80)) })),
    ...closed.data.map((r, i) => ({
      id: r.id as string,
      createdAt: daysAgo(history[i]?.createdDaysAgo ?? 30),
      closedAt: daysAgo(history[i]?.closedDaysAgo ?? 1),
    })),
  ]);

  const proposalId = open.data[2]?.id as string;
  const quote = await records.create(tx, actor, 'quotes', {
    name: 'Company-wide licences — offer',
    opportunityId: proposalId,
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    terms: 'Prices exclude VAT where shown separately. Payable within 30 days of invoice.',
  });
  await setLines(tx, records, actor, quote.id as string, [
    { productId: productIds[0], quantity: '180', discountPercent: '10' },
    { productId: productIds[2], quantity: '1' },
    { productId: productIds[3], quantity: '3' },
  ]);
  const negotiationId = open.data[5]?.id as string;
  const accepted = await records.create(tx, actor, 'quotes', { name: 'Premium support', opportunityId: negotiationId });
  await setLines(tx, records, actor, accepted.id as string, [{ productId: productIds[4], quantity: '1' }]);
  await acceptQuote(tx, records, actor, accepted.id as string, { closeOpportunity: true });
  return [
    ...open.data.map((r, i) => ({
      id: r.id as string,
      name: OPEN_PLAN[i]?.[1] ?? '',
      ownerKey: OPEN_PLAN[i]?.[3] ?? 'dana',
    })),
    ...closed.data.map((r, i) => ({
      id: r.id as string,
      name: history[i]?.body.name ?? '',
      ownerKey: history[i]?.owner ?? 'dana',
    })),
  ];
}
