import { storageColumns } from './field-types';
import { columnName, type ObjectDef } from './types';

/**
 * The SQL that creates an object's table from its declaration: tenant-first keys,
 * composite foreign keys, generated search columns, indexes, row-level security and
 * the workspace-scoped view the engine reads through. Used to write migrations
 * (`npm run db:ddl -- <object>`); a test checks the migrated schema still matches
 * the declarations.
 */
export function objectDDL(def: ObjectDef, targets: (name: string) => ObjectDef | undefined): string {
  const t = def.table;
  const lines: string[] = [
    'workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE',
    'id uuid NOT NULL',
  ];
  const fks: string[] = [
    'FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id)',
    'FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id)',
  ];
  const indexes: string[] = [];
  for (const f of def.fields) {
    for (const c of storageColumns(f)) {
      const notNull = f.required && !c.sub ? ' NOT NULL' : '';
      const dflt = f.type === 'boolean' ? ' NOT NULL DEFAULT false' : '';
      lines.push(`${c.column} ${c.sqlType}${notNull}${dflt}`);
    }
    const col = columnName(f.name);
    if (f.type === 'relation' && f.relation?.cardinality === 'one') {
      const target = targets(f.relation.object);
      if (!target) throw new Error(`unknown relation target ${f.relation.object}`);
      // A required relation cannot be cleared: the record goes with its parent when that is purged.
      const onDelete = f.required ? 'CASCADE' : `SET NULL (${col})`;
      fks.push(
        `FOREIGN KEY (workspace_id, ${col}) REFERENCES ${target.table} (workspace_id, id) ON DELETE ${onDelete}`,
      );
      indexes.push(`CREATE INDEX ${t}_${col}_idx ON ${t} (workspace_id, ${col});`);
    }
    if (f.type === 'address') {
      // near / within filters: one index range per latitude band, then longitude (see geo-filter.ts).
      const lat = `${col}_latitude`;
      const lng = `${col}_longitude`;
      indexes.push(
        `CREATE INDEX ${t}_${col}_geo_idx ON ${t} (workspace_id, rapport_geoband(${lat}, ${lng}), ${lng}, ${lat}) INCLUDE (created_at, id, owner_id, team_id) WHERE deleted_at IS NULL;`,
      );
    }
    if (f.unique) {
      indexes.push(`CREATE UNIQUE INDEX ${t}_${col}_key ON ${t} (workspace_id, ${col}) WHERE deleted_at IS NULL;`);
    } else if (f.indexed) {
      indexes.push(`CREATE INDEX ${t}_${col}_idx ON ${t} (workspace_id, ${col}, id);`);
    }
  }
  lines.push(
    'owner_id uuid',
    'team_id uuid',
    "tags text[] NOT NULL DEFAULT '{}'",
    "custom jsonb NOT NULL DEFAULT '{}'",
    'version integer NOT NULL DEFAULT 1',
    'created_at timestamptz NOT NULL DEFAULT now()',
    'updated_at timestamptz NOT NULL DEFAULT now()',
    'created_by uuid',
    'updated_by uuid',
    'deleted_at timestamptz',
  );
  const vector = builtinSearchVector(def);
  vector.push(`setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')`);
  lines.push(`search_vector tsvector GENERATED ALWAYS AS (${vector.join(' || ')}) STORED`);
  const fuzzy = def.fields.filter((f) => f.fuzzy).map((f) => columnName(f.name));
  // concat_ws is only STABLE; || with coalesce is IMMUTABLE, as generated columns need.
  const joined = fuzzy.map((c) => `coalesce(${c}, '')`).join(` || ' ' || `);
  lines.push(`search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(${joined}))) STORED`);
  lines.push('PRIMARY KEY (workspace_id, id)', ...fks);

  indexes.push(
    `CREATE INDEX ${t}_created_idx ON ${t} (workspace_id, created_at, id);`,
    `CREATE INDEX ${t}_updated_idx ON ${t} (workspace_id, updated_at, id);`,
    `CREATE INDEX ${t}_owner_idx ON ${t} (workspace_id, owner_id, created_at, id);`,
    `CREATE INDEX ${t}_team_idx ON ${t} (workspace_id, team_id);`,
    `CREATE INDEX ${t}_trash_idx ON ${t} (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;`,
    `CREATE INDEX ${t}_tags_idx ON ${t} USING gin (tags);`,
    `CREATE INDEX ${t}_custom_idx ON ${t} USING gin (custom jsonb_path_ops);`,
    // near / within on a custom address field: its grid cells (migration 0063, geo-filter.ts).
    `CREATE INDEX ${t}_custom_geo_idx ON ${t} USING gin (rapport_geocells(workspace_id, custom)) WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';`,
    `CREATE INDEX ${t}_search_idx ON ${t} USING gin (search_vector);`,
    `CREATE INDEX ${t}_trgm_idx ON ${t} USING gin (search_text gin_trgm_ops);`,
  );
  return [
    `-- ${def.labelPlural}: generated from server/modules/${def.name}/${def.name}.object.ts by \`npm run db:ddl -- ${def.name}\``,
    `CREATE TABLE ${t} (\n  ${lines.join(',\n  ')}\n);`,
    ...indexes,
    `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;`,
    `CREATE POLICY tenant ON ${t} USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());`,
    "-- Reads go through this view: scoped to the transaction's workspace like the policy, but",
    '-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.',
    `CREATE VIEW ${t}_scoped AS SELECT * FROM ${t} WHERE workspace_id = rapport_workspace();`,
    `GRANT SELECT ON ${t}_scoped TO rapport_app;`,
  ].join('\n');
}

/**
 * The search vector's parts from the declared `search` fields (SQL over unqualified
 * columns; the custom fields' strings are added after them). Also used by search to
 * re-check a match against the fields a role may see.
 */
export function builtinSearchVector(def: ObjectDef): string[] {
  return def.fields
    .filter((f) => f.search)
    .map((f) => {
      const col = columnName(f.name);
      const text =
        f.type === 'email'
          ? `translate(coalesce(${col}, ''), '@.', '  ') || ' ' || coalesce(${col}, '')`
          : `coalesce(${col}, '')`;
      return `setweight(to_tsvector('simple', rapport_unaccent(${text})), '${f.search}')`;
    });
}
