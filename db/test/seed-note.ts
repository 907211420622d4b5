import { readFileSync } from 'node:fs';
import path from 'node:path';

const note = readFileSync(path.resolve(__dirname, '../spec/seed-database-note.md'), 'utf8');

/** The ```sql block under a "## <heading>" of the seed note. */
function sqlBlockUnder(heading: string): string {
  const section = note.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  const block = section?.match(/```sql\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error(`the seed note has no sql block under "## ${heading}"`);
  return block;
}

/** The seed's "Common Queries", verbatim, keyed by their leading comment. */
export function seedCommonQueries(): Map<string, string> {
  const queries = new Map<string, string>();
  for (const chunk of sqlBlockUnder('Common Queries')
    .split(/^-- /m)
    .filter((part) => part.trim())) {
    const [title, ...body] = chunk.split('\n');
    queries.set(title.trim(), body.join('\n').trim());
  }
  return queries;
}

/** The seed's `CREATE INDEX` statements, verbatim. */
export function seedIndexStatements(): string[] {
  return sqlBlockUnder('Indexes')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('CREATE INDEX'));
}
