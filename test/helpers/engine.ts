/** Which database engine this test run uses (set by the npm scripts). */
export const ENGINE: 'embedded' | 'postgres' = process.env.RAPPORT_TEST_DB === 'postgres' ? 'postgres' : 'embedded';

/** The maintenance database on the PostgreSQL server used by the postgres runs. */
export const PG_ADMIN_URL = process.env.RAPPORT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const TEMPLATE_DB = 'rapport_test_template';

/** The URL of database `name` on the test server. */
export function pgUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
