import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { runBatch } from '../../platform/records/batch';
import type { RecordService } from '../../platform/records/records.service';
import { convertLead } from '../leads';
import { listPipelines } from '../pipelines';
import { standardPriceBookId, upsertEntries } from '../products';
import { acceptQuote, setLines } from '../quotes';

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

const LEADS = [
  {
    firstName: 'Mia',
    lastName: 'Kowalski',
    email: 'mia.kowalski@nordlicht.example',
    company: 'Nordlicht GmbH',
    domain: 'nordlicht.example',
    source: 'website',
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
 * The demo workspace's sales data: a priced product catalogue, leads in every status
 * (one converted), opportunities across the default pipeline's stages (won and lost
 * ones too) and quotes, one accepted. Written through the record engine and the sales
 * services, like the API would.
 */
export async function seedSalesSamples(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  accountIds: string[],
): Promise<void> {
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
  const leads = await runBatch(records, tx, actor, 'leads', { mode: 'create', atomic: true, records: LEADS });
  await convertLead(tx, records, actor, leads.data[5]?.id as string, {
    opportunity: { name: 'Fjord Foods — fleet rollout', amount: { amount: '48000', currency: 'USD' } },
  });

  const [pipeline] = await listPipelines(tx);
  if (!pipeline) return;
  const stage = (name: string) => pipeline.stages.find((s) => s.name === name)?.id as string;
  const plan: [string, string, string, Record<string, unknown>?][] = [
    ['Qualified', 'Pilot for the sales team', '12000'],
    ['Qualified', 'Service desk add-on', '6500'],
    ['Proposal', 'Company-wide licences', '84000'],
    ['Proposal', 'Renewal and upsell', '21000'],
    ['Negotiation', 'EMEA expansion', '150000', { forecastCategory: 'commit' }],
    ['Negotiation', 'Support upgrade', '3600', { forecastCategory: 'best_case' }],
    ['Closed Won', 'First 50 seats', '21000'],
    ['Closed Won', 'Onboarding and training', '7500'],
    ['Closed Lost', 'Marketing team pilot', '9000', { lostReason: 'competitor' }],
    ['Closed Lost', 'Warehouse tablets', '15000', { lostReason: 'no_budget' }],
  ];
  const opportunities = await runBatch(records, tx, actor, 'opportunities', {
    mode: 'create',
    atomic: true,
    records: plan.map(([s, name, amount, extra], i) => ({
      name,
      accountId: accountIds[i % accountIds.length],
      stageId: stage(s),
      amount: { amount, currency: 'EUR' },
      expectedCloseDate: new Date(Date.UTC(2027, i % 12, 15)).toISOString().slice(0, 10),
      ...extra,
    })),
  });
  // Spread the closed ones over the last months, so deals and stats have a history.
  for (const [i, r] of opportunities.data.entries()) {
    const [s] = plan[i] ?? [];
    if (s !== 'Closed Won' && s !== 'Closed Lost') continue;
    await sql`update opportunities set created_at = now() - make_interval(days => ${40 + i * 9}),
        closed_at = now() - make_interval(days => ${i * 3})
      where id = ${r.id as string}::uuid`.execute(tx);
  }

  const proposalId = opportunities.data[2]?.id as string;
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
  const negotiationId = opportunities.data[5]?.id as string;
  const accepted = await records.create(tx, actor, 'quotes', { name: 'Premium support', opportunityId: negotiationId });
  await setLines(tx, records, actor, accepted.id as string, [{ productId: productIds[4], quantity: '1' }]);
  await acceptQuote(tx, records, actor, accepted.id as string, { closeOpportunity: true });
}
