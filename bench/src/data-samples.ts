import type { Client } from 'pg';
import { LABEL_NAMES, type DatasetParameters } from './dataset-parameters';

/** One repository and filter values that select something in it. */
export interface RepositorySample {
  repoId: number;
  /** The repository's most used label. */
  labelId: number;
  /** Two label names an issue may carry together. */
  labelNames: string[];
  /** Whoever is assigned, authors, is mentioned most in the repository. */
  assigneeId: number;
  authorId: number;
  mentionedId: number;
  /** The open milestone with the most issues. */
  milestoneId: number;
}

/** The inputs the measured paths rotate through, read from the seeded data (not derived from seeding formulas). */
export interface DataSamples {
  repositories: RepositorySample[];
  issueIds: number[];
  /** Usernames of repository owners. */
  ownerUsernames: string[];
}

/** Picks `count` repositories spread over the id range, and issues spread over the whole table. */
export async function pickSamples(client: Client, parameters: DatasetParameters, count: number): Promise<DataSamples> {
  const repoIds = spread(parameters.repositories, count);
  const repositories: RepositorySample[] = [];
  for (const repoId of repoIds) repositories.push(await sampleRepository(client, repoId));
  const owners = await client.query<{ username: string }>(
    `SELECT u.username FROM repositories r JOIN users u ON u.id = r.user_id WHERE r.id = ANY($1::bigint[]) ORDER BY r.id`,
    [repoIds],
  );
  return {
    repositories,
    issueIds: spread(parameters.issues, count),
    ownerUsernames: owners.rows.map((row) => row.username),
  };
}

/** `count` ids spread evenly over 1..`highest`, each once. */
function spread(highest: number, count: number): number[] {
  const ids = new Set<number>();
  for (let index = 0; index < count; index++) ids.add(1 + Math.floor(((index + 0.5) * highest) / count));
  return [...ids];
}

async function sampleRepository(client: Client, repoId: number): Promise<RepositorySample> {
  const single = async (sql: string): Promise<number> => {
    const result = await client.query<{ id: string }>(sql, [repoId]);
    if (!result.rows[0]) throw new Error(`repository ${repoId} has no data for: ${sql}`);
    return Number(result.rows[0].id);
  };
  return {
    repoId,
    labelId: await single(
      `SELECT il.label_id AS id FROM issue_labels il JOIN issues i ON i.id = il.issue_id
        WHERE i.repo_id = $1 GROUP BY il.label_id ORDER BY count(*) DESC, il.label_id LIMIT 1`,
    ),
    labelNames: LABEL_NAMES.slice(0, 2),
    assigneeId: await single(
      `SELECT ia.user_id AS id FROM issue_assignees ia JOIN issues i ON i.id = ia.issue_id
        WHERE i.repo_id = $1 GROUP BY ia.user_id ORDER BY count(*) DESC, ia.user_id LIMIT 1`,
    ),
    authorId: await single(
      `SELECT author_id AS id FROM issues WHERE repo_id = $1 GROUP BY author_id ORDER BY count(*) DESC, author_id LIMIT 1`,
    ),
    mentionedId: await single(
      `SELECT user_id AS id FROM (
         SELECT m.user_id FROM mentions m JOIN issues i ON i.id = m.target_id
          WHERE m.target_type = 'issue' AND i.repo_id = $1
         UNION ALL
         SELECT m.user_id FROM mentions m JOIN comments c ON c.id = m.target_id JOIN issues i ON i.id = c.issue_id
          WHERE m.target_type = 'comment' AND i.repo_id = $1) AS mentioned
        GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`,
    ),
    milestoneId: await single(
      `SELECT m.id FROM milestones m JOIN issues i ON i.milestone_id = m.id
        WHERE m.repo_id = $1 AND m.state = 'open' GROUP BY m.id ORDER BY count(*) DESC, m.id LIMIT 1`,
    ),
  };
}
