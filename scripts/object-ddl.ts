// Prints the CREATE TABLE … for declared objects, to paste into a new migration.
// Usage: npm run db:ddl -- contacts [accounts …]
import { STANDARD_OBJECTS } from '../server/modules';
import { objectDDL } from '../server/platform/records/ddl';
import { ObjectRegistry } from '../server/platform/records/registry';

const registry = new ObjectRegistry(STANDARD_OBJECTS);
const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write(
    `usage: npm run db:ddl -- <object> … (objects: ${registry
      .all()
      .map((o) => o.name)
      .join(', ')})\n`,
  );
  process.exit(2);
}
for (const name of names) {
  const def = registry.get(name);
  if (!def) {
    process.stderr.write(`unknown object ${name}\n`);
    process.exit(2);
  }
  process.stdout.write(`${objectDDL(def, (n) => registry.get(n))}\n\n`);
}
