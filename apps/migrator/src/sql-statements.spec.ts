import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { lineOfPosition, splitStatements } from './sql-statements';

const texts = (sql: string) => splitStatements(sql).map((statement) => statement.text);

describe('splitStatements', () => {
  it('splits on semicolons and drops empty statements and the comments before each statement', () => {
    expect(texts('SELECT 1;\n\n-- note\nSELECT 2 ;;\n/* block */ SELECT 3')).toEqual([
      'SELECT 1',
      'SELECT 2',
      'SELECT 3',
    ]);
  });

  it('keeps semicolons inside strings, E-strings, quoted identifiers and comments', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s; fine');",
      "INSERT INTO t VALUES (E'\\'; still inside', e'x\\\\');",
      'CREATE TABLE "odd;name" ("col;umn" int, "quote""d;" int);',
      'SELECT 1 -- trailing ; comment\n + 1;',
      'SELECT /* block ; /* nested ; */ still comment ; */ 2;',
    ].join('\n');
    expect(texts(sql)).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
      "INSERT INTO t VALUES (E'\\'; still inside', e'x\\\\')",
      'CREATE TABLE "odd;name" ("col;umn" int, "quote""d;" int)',
      'SELECT 1 -- trailing ; comment\n + 1',
      'SELECT /* block ; /* nested ; */ still comment ; */ 2',
    ]);
  });

  it('treats a backslash as an ordinary character outside E-strings', () => {
    expect(texts("SELECT 'C:\\dir\\'; SELECT 2;")).toEqual(["SELECT 'C:\\dir\\'", 'SELECT 2']);
  });

  it('keeps dollar-quoted bodies whole, with or without a tag, and nested tags', () => {
    const sql = `
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1; RETURN 2;
END $$;
CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
  RETURN $x$ ; $$ ; $x$;
END
$body$;
DO $do$ BEGIN RAISE NOTICE 'a;b'; END $do$;`;
    const statements = texts(sql);
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(/^CREATE FUNCTION f\(\)[\s\S]*END \$\$$/);
    expect(statements[1]).toMatch(/^CREATE FUNCTION g\(\)[\s\S]*\$body\$$/);
    expect(statements[2]).toBe("DO $do$ BEGIN RAISE NOTICE 'a;b'; END $do$");
  });

  it('does not mistake positional parameters or identifiers containing $ for dollar quotes', () => {
    expect(texts('PREPARE p AS SELECT $1; SELECT a$b$c FROM t; SELECT 3;')).toEqual([
      'PREPARE p AS SELECT $1',
      'SELECT a$b$c FROM t',
      'SELECT 3',
    ]);
  });

  it('keeps semicolons inside parentheses (multi-action rules) and SQL-standard function bodies', () => {
    const sql = `
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));
CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;
  SELECT a + b;
END;
SELECT 'after';`;
    const statements = texts(sql);
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(/VALUES \(2\)\)$/);
    expect(statements[1]).toMatch(/^CREATE OR REPLACE FUNCTION add[\s\S]*SELECT a \+ b;\nEND$/);
    expect(statements[2]).toBe("SELECT 'after'");
  });

  it('gives each statement the file line it starts on', () => {
    const statements = splitStatements('-- header\n\nSELECT 1;\n/* c\n */\n  SELECT\n 2;');
    expect(statements.map((statement) => statement.line)).toEqual([3, 6]);
  });
});

describe('lineOfPosition', () => {
  let database: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    client = new Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  /** The PostgreSQL error position of the statement, mapped back to a line of the file. */
  async function failingLine(sql: string): Promise<number> {
    const [statement] = splitStatements(sql).slice(-1);
    const error = await client.query(statement.text).then(
      () => null,
      (failure: { position?: string }) => failure,
    );
    expect(error?.position).toBeDefined();
    return lineOfPosition(statement, Number(error!.position));
  }

  it('maps a PostgreSQL error position inside a statement to the line of the file', async () => {
    expect(await failingLine('SELECT 1;\n\nSELECT\n  1,\n  nope\nFROM pg_class;')).toBe(5);
  });

  it('counts positions in characters, so text beyond the BMP before the error does not shift the line', async () => {
    expect(await failingLine("SELECT '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀',\n'é', 1\n/*😀*/ + 'x'::int")).toBe(3);
  });
});
