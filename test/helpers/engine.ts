/** Which database engine this test run uses (set by the npm scripts). */
export const ENGINE: 'embedded' | 'postgres' = process.env.RAPPORT_TEST_DB === 'postgres' ? 'postgres' : 'embedded';

/** The maintenance database on the PostgreSQL server used by the postgres runs. */
export const PG_ADMIN_URL = process.env.RAPPORT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The migrated template this run's databases are cloned from. Each run names its own
 * (set by the global setup, inherited by the workers), so two runs on one server do
 * not drop each other's databases. The name carries the run's start time in seconds:
 * the global setup drops databases of runs older than a few hours (killed runs).
 */
export const TEMPLATE_DB = process.env.RAPPORT_TEST_TEMPLATE ?? 'rapport_tpl_0_x';

/** Prefix of every test database: rapport_t_<run start seconds>_… */
export const RUN_DB_PREFIX = TEMPLATE_DB.replace(/^rapport_tpl_/, 'rapport_t_');

/** The URL of database `name` on the test server. */
export function pgUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
