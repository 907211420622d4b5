import type { Client } from 'pg';

/**
 * One object of a database's schema, with the properties that define it as text. `key` identifies
 * the object across databases (it never contains OIDs); `label` names it in messages; an object whose
 * `parent` is missing on the other side is not reported again (a missing table implies its columns).
 */
export interface CatalogObject {
  key: string;
  label: string;
  parent?: string;
  props: Record<string, string | null>;
}

export type Catalog = Map<string, CatalogObject>;

export interface SnapshotOptions {
  /** Qualified relation names left out with everything on them, e.g. the runner's own tracking table. */
  excludeRelations?: string[];
}

const schemaFilter = (column: string) =>
  `${column} NOT IN ('pg_catalog', 'information_schema') AND ${column} NOT LIKE 'pg\\_toast%' AND ${column} NOT LIKE 'pg\\_temp\\_%'`;

/** Objects an extension created are the extension's business, not the schema's. */
const notFromExtension = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/**
 * Privileges as sorted `grantee=PRIVILEGE` items. `defaultKind` is the acldefault() object type (an
 * SQL expression), for ACLs whose NULL means the default one; others (columns) mean none. The owner is
 * written as <owner>: databases built by different roles, or that granted and revoked back, compare
 * equal when the effective privileges are equal.
 */
const privileges = (acl: string, defaultKind: string | null, owner: string) => {
  const effective = defaultKind ? `coalesce(${acl}, acldefault(${defaultKind}, ${owner}))` : acl;
  return `(SELECT string_agg(item, ', ' ORDER BY item COLLATE "C") FROM (
      SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' WHEN a.grantee = ${owner} THEN '<owner>' ELSE pg_get_userbyid(a.grantee)::text END
        || '=' || a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS item
      FROM aclexplode(${effective}) a) items)`;
};

const relationAclKind = `(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char"`;

const relationKinds: Record<string, string> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  S: 'sequence',
  f: 'foreign table',
  c: 'composite type',
};

type Row = Record<string, string | null>;

interface Section {
  sql: string;
  toObject(row: Row): CatalogObject;
}

const relationKey = (schema: string | null, name: string | null) => `relation ${schema}.${name}`;

/** Every catalog query: the sections of a snapshot. Adding what `verify` compares means adding one here. */
const sections: Section[] = [
  {
    sql: `SELECT ${privileges('d.datacl', "'d'", 'd.datdba')} AS acl FROM pg_database d WHERE d.datname = current_database()`,
    toObject: (row) => ({ key: 'database', label: 'database', props: row }),
  },
  {
    sql: `SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`,
    toObject: ({ name, ...props }) => ({ key: `extension ${name}`, label: `extension ${name}`, props }),
  },
  {
    sql: `SELECT n.nspname AS name, ${privileges('n.nspacl', "'n'", 'n.nspowner')} AS acl
          FROM pg_namespace n WHERE ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_namespace', 'n.oid')}`,
    toObject: ({ name, ...props }) => ({ key: `schema ${name}`, label: `schema ${name}`, props }),
  },
  {
    sql: `SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind,
            CASE t.typtype
              WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                             FROM pg_enum e WHERE e.enumtypid = t.oid)
              WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                            || coalesce(' DEFAULT ' || t.typdefault, '')
              WHEN 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid)
            END AS definition,
            ${privileges('t.typacl', "'T'", 't.typowner')} AS acl
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE t.typtype IN ('e', 'd', 'r') AND ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_type', 't.oid')}`,
    toObject: ({ schema, name, kind, ...props }) => {
      const kindName = { e: 'enum', d: 'domain', r: 'range type' }[kind!]!;
      return {
        key: `type ${schema}.${name}`,
        label: `${kindName} ${schema}.${name}`,
        parent: `schema ${schema}`,
        props: { kind: kindName, ...props },
      };
    },
  },
  {
    sql: `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
            CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' ELSE 'permanent' END AS persistence,
            c.relrowsecurity::text AS "row level security", c.relforcerowsecurity::text AS "forced row level security",
            array_to_string(c.reloptions, ', ') AS options,
            CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition,
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS "partition key",
            CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS "partition bound",
            CASE WHEN c.relkind = 'S' THEN (
              SELECT format('%s start %s increment %s min %s max %s cache %s%s', format_type(s.seqtypid, NULL), s.seqstart,
                            s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
              FROM pg_sequence s WHERE s.seqrelid = c.oid) END AS sequence,
            CASE WHEN c.relkind <> 'c' THEN ${privileges('c.relacl', relationAclKind, 'c.relowner')} END AS acl
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_class', 'c.oid')}`,
    toObject: ({ schema, name, kind, ...props }) => ({
      key: relationKey(schema, name),
      label: `${relationKinds[kind!]} ${schema}.${name}`,
      parent: `schema ${schema}`,
      props: { kind: relationKinds[kind!], ...props },
    }),
  },
  {
    sql: `SELECT n.nspname AS schema, c.relname AS relation, a.attname AS name,
            format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default,
            a.attnotnull::text AS "not null",
            CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
            CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
            CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
            ${privileges('a.attacl', null, 'c.relowner')} AS acl
          FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            LEFT JOIN pg_collation co ON co.oid = a.attcollation
          WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
            AND ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_class', 'c.oid')}`,
    toObject: ({ schema, relation, name, ...props }) => ({
      key: `column ${schema}.${relation}.${name}`,
      label: `column ${schema}.${relation}.${name}`,
      parent: relationKey(schema, relation),
      props,
    }),
  },
  {
    sql: `SELECT n.nspname AS schema, coalesce(c.relname, t.typname) AS owner, con.conname AS name,
            CASE WHEN con.conrelid <> 0 THEN 'relation' ELSE 'type' END AS on,
            pg_get_constraintdef(con.oid, true) AS definition
          FROM pg_constraint con
            JOIN pg_namespace n ON n.oid = con.connamespace
            LEFT JOIN pg_class c ON c.oid = con.conrelid
            LEFT JOIN pg_type t ON t.oid = con.contypid
          WHERE (con.conrelid <> 0 OR con.contypid <> 0) AND ${schemaFilter('n.nspname')}
            AND ${notFromExtension('pg_constraint', 'con.oid')}`,
    toObject: ({ schema, owner, name, on, ...props }) => ({
      key: `constraint ${schema}.${owner}.${name}`,
      label: `constraint ${name} on ${schema}.${owner}`,
      parent: on === 'relation' ? relationKey(schema, owner) : `type ${schema}.${owner}`,
      props,
    }),
  },
  {
    // Indexes behind PRIMARY KEY, UNIQUE and EXCLUDE constraints are compared as those constraints.
    sql: `SELECT n.nspname AS schema, ic.relname AS name, tc.relname AS relation,
            pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid::text AS valid
          FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class tc ON tc.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = ic.relnamespace
          WHERE ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_class', 'ic.oid')}
            AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))`,
    toObject: ({ schema, name, relation, ...props }) => ({
      key: `index ${schema}.${name}`,
      label: `index ${schema}.${name}`,
      parent: relationKey(schema, relation),
      props,
    }),
  },
  {
    sql: `SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
            CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind,
            pg_get_functiondef(p.oid) AS definition,
            ${privileges('p.proacl', "'f'", 'p.proowner')} AS acl
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE p.prokind <> 'a' AND ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_proc', 'p.oid')}`,
    toObject: ({ schema, name, arguments: args, kind, definition, ...props }) => ({
      key: `function ${schema}.${name}(${args})`,
      label: `${kind} ${schema}.${name}(${args})`,
      parent: `schema ${schema}`,
      // Indentation and line breaks in a body are not part of what the function does.
      props: { definition: definition && definition.replace(/\s+/g, ' ').trim(), ...props },
    }),
  },
  {
    sql: `SELECT n.nspname AS schema, c.relname AS relation, t.tgname AS name,
            pg_get_triggerdef(t.oid, true) AS definition,
            CASE t.tgenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END AS enabled
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE NOT t.tgisinternal AND ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_class', 'c.oid')}`,
    toObject: ({ schema, relation, name, ...props }) => ({
      key: `trigger ${schema}.${relation}.${name}`,
      label: `trigger ${name} on ${schema}.${relation}`,
      parent: relationKey(schema, relation),
      props,
    }),
  },
  {
    sql: `SELECT p.schemaname AS schema, p.tablename AS relation, p.policyname AS name, p.permissive, p.cmd AS command,
            array_to_string(p.roles, ', ') AS roles, p.qual AS using, p.with_check AS "with check"
          FROM pg_policies p WHERE ${schemaFilter('p.schemaname')}`,
    toObject: ({ schema, relation, name, ...props }) => ({
      key: `policy ${schema}.${relation}.${name}`,
      label: `policy ${name} on ${schema}.${relation}`,
      parent: relationKey(schema, relation),
      props,
    }),
  },
  {
    sql: `SELECT pg_get_userbyid(d.defaclrole) AS role, coalesce(n.nspname, '') AS schema,
            CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                                 WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' END AS objects,
            ${privileges('d.defaclacl', null, 'd.defaclrole')} AS acl
          FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`,
    toObject: ({ role, schema, objects, ...props }) => {
      const label = `default privileges of ${role} on ${objects}${schema ? ` in schema ${schema}` : ''}`;
      return { key: label, label, props };
    },
  },
];

/** The schema of the database `client` is connected to, as comparable objects. */
export async function snapshotCatalog(client: Client, options: SnapshotOptions = {}): Promise<Catalog> {
  const excluded = new Set((options.excludeRelations ?? []).map((name) => `relation ${name}`));
  const catalog: Catalog = new Map();
  for (const section of sections) {
    const { rows } = await client.query<Row>(section.sql);
    for (const row of rows) {
      const object = section.toObject(row);
      if (excluded.has(object.key) || (object.parent && excluded.has(object.parent))) continue;
      catalog.set(object.key, object);
    }
  }
  return catalog;
}

/** Up to `limit` relations of the database's own schemas (not extensions'), besides `excluded`. */
export async function listUserRelations(client: Client, excluded: string[], limit = 5): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${schemaFilter('n.nspname')} AND ${notFromExtension('pg_class', 'c.oid')}
       AND n.nspname || '.' || c.relname <> ALL ($1::text[])
     ORDER BY 1 LIMIT $2`,
    [excluded, limit],
  );
  return rows.map((row) => row.name);
}
