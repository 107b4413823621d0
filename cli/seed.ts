import { randomBytes } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { INDUSTRIES } from '../server/modules/accounts/accounts.object';
import { CITIES } from '../server/modules/demo/sample-data';
import type { Database } from '../server/platform/db/database';

const CHUNK = 20_000;

/**
 * Bulk sample data for benchmarks: set-based INSERT … SELECT FROM generate_series
 * in chunks (each its own transaction), with names from faker, spread over
 * `accounts` accounts, owners among the workspace's members.
 */
export async function seedContacts(
  database: Database,
  workspaceId: string,
  opts: {
    contacts: number;
    accounts?: number;
    /**
     * Contacts' coordinates: around the twelve sample cities (the default), or spread
     * uniformly over a box (the geo benchmark: a 50 km circle then holds a fixed share).
     */
    spread?: { lat: readonly [number, number]; lng: readonly [number, number] };
  },
  progress: (n: number) => void,
): Promise<{ contacts: number; accounts: number }> {
  faker.seed(42);
  const firstNames = [...new Set(Array.from({ length: 3000 }, () => faker.person.firstName()))];
  const lastNames = [...new Set(Array.from({ length: 5000 }, () => faker.person.lastName()))];
  const companies = [...new Set(Array.from({ length: 2000 }, () => faker.company.name()))];
  const titles = [...new Set(Array.from({ length: 300 }, () => faker.person.jobTitle()))];
  const tag = randomBytes(3).toString('hex');
  const accountsWanted = opts.accounts ?? Math.max(1, Math.round(opts.contacts / 10));
  const owners = (
    await database.db
      .selectFrom('workspace_members')
      .select('user_id')
      .where('workspace_id', '=', workspaceId)
      .execute()
  ).map((m) => m.user_id);
  if (owners.length === 0) throw new Error('The workspace has no members to own the records');
  const cities = CITIES.map((c) => c.city);
  const countries = CITIES.map((c) => c.country);
  const lats = CITIES.map((c) => c.latitude);
  const lons = CITIES.map((c) => c.longitude);

  for (let from = 1; from <= accountsWanted; from += CHUNK) {
    const to = Math.min(accountsWanted, from + CHUNK - 1);
    await database.system((tx) =>
      sql`insert into accounts (workspace_id, id, name, domain, industry, type, employees, annual_revenue_amount,
            annual_revenue_currency, address_city, address_country, address_latitude, address_longitude, owner_id, created_at, updated_at)
          select ${workspaceId}::uuid, gen_random_uuid(),
            (${companies}::text[])[1 + ((i::bigint * 7919) % ${companies.length})::int] || ' ' || i,
            'acct-' || ${tag} || '-' || i || '.example.com',
            (${INDUSTRIES}::text[])[1 + ((i::bigint * 31) % ${INDUSTRIES.length})::int],
            (array['prospect','customer','partner','supplier'])[1 + i % 4],
            10 + (i::bigint * 104729) % 20000, ((i * 7) % 5000) * 1000, 'EUR',
            (${cities}::text[])[1 + i % ${cities.length}], (${countries}::text[])[1 + i % ${countries.length}],
            (${lats}::float8[])[1 + i % ${lats.length}] + ((i % 100) - 50) / 1000.0,
            (${lons}::float8[])[1 + i % ${lons.length}] + ((i % 77) - 38) / 1000.0,
            (${owners}::uuid[])[1 + (i / 7) % ${owners.length}],
            now() - make_interval(secs => (i::bigint * 7919) % 94608000), now()
          from generate_series(${from}::int, ${to}::int) i`.execute(tx),
    );
  }
  const accountIds = (
    await sql<{
      id: string;
    }>`select id from accounts where workspace_id = ${workspaceId} and domain like ${`acct-${tag}-%`}`.execute(
      database.db,
    )
  ).rows.map((r) => r.id);

  let done = 0;
  for (let from = 1; from <= opts.contacts; from += CHUNK) {
    const to = Math.min(opts.contacts, from + CHUNK - 1);
    await database.system((tx) =>
      sql`insert into contacts (workspace_id, id, first_name, last_name, email, title, account_id, lifecycle_stage,
            address_city, address_country, address_latitude, address_longitude, address_geo_precision, address_geo_source,
            tags, owner_id, created_at, updated_at)
          select ${workspaceId}::uuid, gen_random_uuid(), fn, ln,
            lower(regexp_replace(fn || '.' || ln, '[^A-Za-z.]', '', 'g')) || '.' || ${tag} || i || '@example.com',
            (${titles}::text[])[1 + ((i::bigint * 13) % ${titles.length})::int],
            (${accountIds}::uuid[])[1 + ((i::bigint * 7919) % ${accountIds.length})::int],
            (array['subscriber','lead','mql','sql','opportunity','customer'])[1 + (i * 17) % 6],
            (${cities}::text[])[1 + i % ${cities.length}], (${countries}::text[])[1 + i % ${countries.length}],
            ${
              opts.spread
                ? sql`${opts.spread.lat[0]}::float8 + random() * ${opts.spread.lat[1] - opts.spread.lat[0]}::float8,
                  ${opts.spread.lng[0]}::float8 + random() * ${opts.spread.lng[1] - opts.spread.lng[0]}::float8`
                : sql`(${lats}::float8[])[1 + i % ${lats.length}] + ((i % 100) - 50) / 1000.0,
                  (${lons}::float8[])[1 + i % ${lons.length}] + ((i % 77) - 38) / 1000.0`
            },
            ${opts.spread ? 'city' : null}, ${opts.spread ? 'gazetteer' : null},
            case when i % 10 = 0 then array['newsletter'] when i % 25 = 0 then array['vip', 'newsletter'] else '{}'::text[] end,
            (${owners}::uuid[])[1 + (i / 7) % ${owners.length}],
            now() - make_interval(secs => (i::bigint * 104729) % 94608000), now()
          from generate_series(${from}::int, ${to}::int) i,
            lateral (select (${firstNames}::text[])[1 + ((i::bigint * 7919) % ${firstNames.length})::int] as fn,
                            (${lastNames}::text[])[1 + ((i::bigint * 104723) % ${lastNames.length})::int] as ln) n`.execute(
        tx,
      ),
    );
    done = to;
    progress(done);
  }
  await sql`analyze accounts`.execute(database.db);
  await sql`analyze contacts`.execute(database.db);
  return { contacts: done, accounts: accountIds.length };
}
