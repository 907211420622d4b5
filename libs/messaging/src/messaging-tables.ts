import { escapeIdentifier } from 'pg';

/** Qualified, quoted names of one service's messaging tables (the schema name comes from code, not input). */
export interface MessagingTables {
  schema: string;
  outbox: string;
  inbox: string;
  deadLetters: string;
  aggregateVersions: string;
  consumerPositions: string;
  consumerFailures: string;
  /** The channel the outbox trigger NOTIFYs on commit. */
  outboxChannel: string;
}

export function messagingTables(schema: string): MessagingTables {
  if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error(`messaging schema "${schema}" must be lowercase snake_case`);
  const table = (name: string) => `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;
  return {
    schema,
    outbox: table('outbox'),
    inbox: table('inbox'),
    deadLetters: table('dead_letters'),
    aggregateVersions: table('aggregate_versions'),
    consumerPositions: table('consumer_positions'),
    consumerFailures: table('consumer_failures'),
    outboxChannel: escapeIdentifier(`${schema}_outbox`),
  };
}
