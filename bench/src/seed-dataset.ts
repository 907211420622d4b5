import type { Client } from 'pg';
import {
  LABEL_NAMES,
  ownerCount,
  RARE_WORD,
  RARE_WORD_SHARE,
  VOCABULARY,
  type DatasetParameters,
} from './dataset-parameters';
import { formatSeconds, type Log } from './log';
import { ProgressBar } from './progress-bar';
import { SqlParameters } from './sql-parameters';

/** Issues per chunk (then their labels, assignees, comments, mentions): set-based, yet a lively progress bar. */
const ISSUES_PER_CHUNK = 20_000;

/** Team of repository r: users ((r - 1) * TEAM_STRIDE + k) % users + 1, so neighbouring repositories share people. */
const TEAM_STRIDE = 10;

/**
 * Fills a freshly migrated, empty database with the dataset `parameters` describe, with set-based
 * `INSERT ... SELECT generate_series` statements, then VACUUM ANALYZE.
 *
 * Ids are written explicitly (OVERRIDING SYSTEM VALUE) so that related rows are computed from
 * formulas instead of looked up: issue id = (number - 1) * repositories + repository, which also
 * interleaves the repositories' issues on disk by creation time, as a live forge's table is.
 *
 * The session runs with session_replication_role = replica, which skips triggers and foreign-key
 * checks. The data is consistent by construction (the formulas only produce existing references),
 * and the work the triggers would do per row is done set-based instead: comment_count is decided
 * with each issue and its comments are generated from it, and the issue and run number counters
 * are set once at the end. Left to the per-row triggers, each issue would update its repository
 * row and each comment its issue row, several million row versions for nothing.
 */
export async function seedDataset(client: Client, parameters: DatasetParameters, log: Log): Promise<void> {
  const started = performance.now();
  await client.query(`SET session_replication_role = replica`);
  // A crash while seeding means seeding again anyway, so commits need not wait for the disk.
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '1GB'`);
  await client.query(`SELECT setseed(0.42)`);

  await timed(log, 'users, repositories, labels, milestones', async () => {
    await insertUsers(client, parameters);
    await insertRepositories(client, parameters);
    await insertLabels(client, parameters);
    await insertMilestones(client, parameters);
  });

  const progress = new ProgressBar('issues with labels, assignees, comments, mentions', parameters.issues);
  progress.update(0);
  for (let firstId = 1; firstId <= parameters.issues; firstId += ISSUES_PER_CHUNK) {
    const lastId = Math.min(firstId + ISSUES_PER_CHUNK - 1, parameters.issues);
    await insertIssues(client, parameters, firstId, lastId);
    await insertIssueLabels(client, parameters, firstId, lastId);
    await insertIssueAssignees(client, parameters, firstId, lastId);
    await insertComments(client, parameters, firstId, lastId);
    await insertMentions(client, parameters, firstId, lastId);
    progress.update(lastId);
  }
  progress.finish();

  await timed(log, 'workflow definitions and runs', async () => {
    await insertWorkflowDefinitions(client, parameters);
    await insertWorkflowRuns(client, parameters);
  });
  await timed(log, 'counters and identity sequences', () => setCountersAndSequences(client, parameters));
  await timed(log, 'VACUUM ANALYZE', () => client.query('VACUUM (ANALYZE)'));
  await client.query(`RESET session_replication_role`);
  log(`seeded in ${formatSeconds(performance.now() - started)}`);
}

async function timed(log: Log, what: string, work: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  log(`${what}…`);
  await work();
  log(`${what}: done in ${formatSeconds(performance.now() - started)}`);
}

/** SQL for member `memberIndex` (0-based, below teamSize) of the team of repository `repoId`. */
function teamMember(sql: SqlParameters, parameters: DatasetParameters, repoId: string, memberIndex: string): string {
  return `((((${repoId}) - 1) * ${sql.param(TEAM_STRIDE, 'bigint')} + (${memberIndex})) % ${sql.param(parameters.users, 'bigint')} + 1)`;
}

function anyUser(sql: SqlParameters, parameters: DatasetParameters): string {
  return `(1 + floor(random() * ${sql.param(parameters.users, 'bigint')})::bigint)`;
}

/** `count` words joined by spaces, each drawn with a skew towards the front of the vocabulary. */
function randomWords(sql: SqlParameters, count: number): string {
  const vocabulary = sql.param(VOCABULARY, 'text[]');
  const size = sql.param(VOCABULARY.length, 'float8');
  const word = `(${vocabulary})[1 + floor(power(random(), 2) * ${size})::int]`;
  return Array.from({ length: count }, () => word).join(` || ' ' || `);
}

async function run(client: Client, build: (sql: SqlParameters) => string): Promise<void> {
  const sql = new SqlParameters();
  const text = build(sql);
  await client.query(text, sql.values);
}

function insertUsers(client: Client, parameters: DatasetParameters): Promise<void> {
  return run(
    client,
    (sql) => `
      INSERT INTO users (id, username, email, display_name, bio, created_at, updated_at)
      OVERRIDING SYSTEM VALUE
      SELECT g, 'user' || g, 'user' || g || '@example.test', 'User ' || g,
             CASE WHEN g % 4 = 0 THEN 'Writes code, reviews pull requests and files issues.' END,
             now() - interval '5 years' + g * interval '1 minute', now() - interval '5 years' + g * interval '1 minute'
        FROM generate_series(1, ${sql.param(parameters.users, 'bigint')}) AS g`,
  );
}

function insertRepositories(client: Client, parameters: DatasetParameters): Promise<void> {
  return run(
    client,
    (sql) => `
      INSERT INTO repositories (id, user_id, name, description, is_public, created_at, updated_at)
      OVERRIDING SYSTEM VALUE
      SELECT r, (r - 1) % ${sql.param(ownerCount(parameters), 'bigint')} + 1, 'repo-' || r, 'Repository number ' || r,
             r % 10 <> 0, now() - interval '4 years', now() - interval '4 years'
        FROM generate_series(1, ${sql.param(parameters.repositories, 'bigint')}) AS r`,
  );
}

function insertLabels(client: Client, parameters: DatasetParameters): Promise<void> {
  return run(client, (sql) => {
    const perRepository = sql.param(parameters.labelsPerRepository, 'bigint');
    return `
      INSERT INTO labels (id, repo_id, name, color, created_at, updated_at)
      OVERRIDING SYSTEM VALUE
      SELECT (r - 1) * ${perRepository} + k, r, coalesce((${sql.param(LABEL_NAMES, 'text[]')})[k], 'label-' || k),
             '#' || lpad(to_hex((k * 2654435761) % 16777216), 6, '0'), now() - interval '4 years', now() - interval '4 years'
        FROM generate_series(1, ${sql.param(parameters.repositories, 'bigint')}) AS r,
             generate_series(1, ${perRepository}) AS k`;
  });
}

/** The first half of each repository's milestones are closed. */
function insertMilestones(client: Client, parameters: DatasetParameters): Promise<void> {
  return run(client, (sql) => {
    const perRepository = sql.param(parameters.milestonesPerRepository, 'bigint');
    return `
      INSERT INTO milestones (id, repo_id, title, state, closed_at, created_at, updated_at)
      OVERRIDING SYSTEM VALUE
      SELECT (r - 1) * ${perRepository} + k, r, 'v1.' || k, CASE WHEN closed THEN 'closed' ELSE 'open' END,
             CASE WHEN closed THEN now() - interval '1 year' END, now() - interval '3 years', now() - interval '3 years'
        FROM generate_series(1, ${sql.param(parameters.repositories, 'bigint')}) AS r,
             generate_series(1, ${perRepository}) AS k,
             LATERAL (SELECT k <= ${perRepository} / 2 AS closed) AS milestone_state`;
  });
}

/**
 * Issues `firstId`..`lastId`, created over the last three years in id order. Older issues are more
 * often closed; 40 % have a milestone; 70 % are written by the repository's team; comment counts
 * are mostly 0-5 with 1 % of long threads (10-49). The random draws sit in a subquery fenced by
 * OFFSET 0, so that a column used twice (state, updated_at) is drawn once.
 */
function insertIssues(client: Client, parameters: DatasetParameters, firstId: number, lastId: number): Promise<void> {
  return run(client, (sql) => {
    const repositories = sql.param(parameters.repositories, 'bigint');
    const issues = sql.param(parameters.issues, 'float8');
    const milestones = sql.param(parameters.milestonesPerRepository, 'bigint');
    const teamSize = sql.param(parameters.teamSize, 'float8');
    return `
      INSERT INTO issues (id, repo_id, issue_number, author_id, title, body, state, milestone_id, comment_count,
                          closed_at, created_at, updated_at)
      OVERRIDING SYSTEM VALUE
      SELECT id, repo_id, issue_number, author_id, title, body, state, milestone_id, comment_count,
             CASE WHEN state = 'closed' THEN updated_at END, created_at, updated_at
        FROM (SELECT id, repo_id, issue_number, created_at,
                     created_at + random() * least(interval '60 days', now() - created_at) AS updated_at,
                     CASE WHEN random() < 0.7 THEN ${teamMember(sql, parameters, 'repo_id', `floor(random() * ${teamSize})::bigint`)}
                          ELSE ${anyUser(sql, parameters)} END AS author_id,
                     ${randomWords(sql, 5)} AS title,
                     ${randomWords(sql, 30)}
                       || CASE WHEN random() < ${sql.param(RARE_WORD_SHARE, 'float8')} THEN ' ' || ${sql.param(RARE_WORD, 'text')} ELSE '' END
                       AS body,
                     CASE WHEN random() < 0.85 - 0.7 * id / ${issues} THEN 'closed' ELSE 'open' END AS state,
                     CASE WHEN random() < 0.4 THEN (repo_id - 1) * ${milestones} + 1 + floor(random() * ${milestones})::bigint END
                       AS milestone_id,
                     CASE WHEN random() < 0.01 THEN 10 + floor(random() * 40)::int
                          ELSE floor(5.5 * power(random(), 2))::int END AS comment_count
                FROM (SELECT id, (id - 1) % ${repositories} + 1 AS repo_id, (id - 1) / ${repositories} + 1 AS issue_number,
                             now() - interval '3 years' + (id / ${issues}) * (interval '3 years' - interval '1 hour') AS created_at
                        FROM generate_series(${sql.param(firstId, 'bigint')}, ${sql.param(lastId, 'bigint')}) AS id) AS numbered
              OFFSET 0) AS issue`;
  });
}

/** 60 % of issues get 1-3 distinct labels of their repository, the first labels (bug, ...) most often. */
function insertIssueLabels(
  client: Client,
  parameters: DatasetParameters,
  firstId: number,
  lastId: number,
): Promise<void> {
  return run(client, (sql) => {
    const labels = sql.param(parameters.labelsPerRepository, 'bigint');
    return `
      INSERT INTO issue_labels (issue_id, label_id, created_at)
      SELECT issue.id, (issue.repo_id - 1) * ${labels} + 1 + (issue.first_label + n) % ${labels}, issue.created_at
        FROM (SELECT id, repo_id, created_at, floor(power(random(), 2) * ${labels})::bigint AS first_label,
                     CASE WHEN random() < 0.6 THEN 1 + floor(random() * least(3, ${labels})) ELSE 0 END::int AS label_count
                FROM issues WHERE id BETWEEN ${sql.param(firstId, 'bigint')} AND ${sql.param(lastId, 'bigint')}
              OFFSET 0) AS issue,
             generate_series(0, issue.label_count - 1) AS n`;
  });
}

/** 55 % of issues get one assignee of the team, 10 % two. */
function insertIssueAssignees(
  client: Client,
  parameters: DatasetParameters,
  firstId: number,
  lastId: number,
): Promise<void> {
  return run(client, (sql) => {
    const teamSize = sql.param(parameters.teamSize, 'bigint');
    return `
      INSERT INTO issue_assignees (issue_id, user_id, created_at)
      SELECT issue.id, ${teamMember(sql, parameters, 'issue.repo_id', `(issue.first_member + n * issue.step) % ${teamSize}`)},
             issue.created_at
        FROM (SELECT id, repo_id, created_at, floor(random() * ${teamSize})::bigint AS first_member,
                     1 + floor(random() * greatest(${teamSize} - 1, 1))::bigint AS step,
                     least(CASE WHEN draw < 0.55 THEN 1 WHEN draw < 0.65 THEN 2 ELSE 0 END, ${teamSize})::int AS assignee_count
                FROM (SELECT id, repo_id, created_at, random() AS draw
                        FROM issues WHERE id BETWEEN ${sql.param(firstId, 'bigint')} AND ${sql.param(lastId, 'bigint')}
                      OFFSET 0) AS drawn
              OFFSET 0) AS issue,
             generate_series(0, issue.assignee_count - 1) AS n`;
  });
}

/** Each issue gets exactly comment_count comments, spread between its creation and last update. */
function insertComments(client: Client, parameters: DatasetParameters, firstId: number, lastId: number): Promise<void> {
  return run(client, (sql) => {
    const createdAt = `issue.created_at + (issue.updated_at - issue.created_at) * (n::float8 / (issue.comment_count + 1))`;
    return `
      INSERT INTO comments (issue_id, author_id, body, created_at, updated_at)
      SELECT issue.id,
             CASE WHEN random() < 0.8 THEN ${teamMember(sql, parameters, 'issue.repo_id', `floor(random() * ${sql.param(parameters.teamSize, 'float8')})::bigint`)}
                  ELSE ${anyUser(sql, parameters)} END,
             ${randomWords(sql, 12)}, ${createdAt}, ${createdAt}
        FROM issues AS issue, generate_series(1, issue.comment_count) AS n
       WHERE issue.id BETWEEN ${sql.param(firstId, 'bigint')} AND ${sql.param(lastId, 'bigint')}`;
  });
}

/** A team member is mentioned in 5 % of issue bodies and 3 % of comments. */
function insertMentions(client: Client, parameters: DatasetParameters, firstId: number, lastId: number): Promise<void> {
  return run(client, (sql) => {
    const teamSize = sql.param(parameters.teamSize, 'float8');
    const first = sql.param(firstId, 'bigint');
    const last = sql.param(lastId, 'bigint');
    return `
      INSERT INTO mentions (target_type, target_id, user_id, created_at)
      SELECT 'issue', id, ${teamMember(sql, parameters, 'repo_id', `floor(random() * ${teamSize})::bigint`)}, created_at
        FROM issues WHERE id BETWEEN ${first} AND ${last} AND random() < 0.05
      UNION ALL
      SELECT 'comment', c.id, ${teamMember(sql, parameters, 'i.repo_id', `floor(random() * ${teamSize})::bigint`)}, c.created_at
        FROM comments c JOIN issues i ON i.id = c.issue_id
       WHERE c.issue_id BETWEEN ${first} AND ${last} AND random() < 0.03`;
  });
}

function insertWorkflowDefinitions(client: Client, parameters: DatasetParameters): Promise<void> {
  const plan = {
    steps: [
      { id: 'install', name: 'Install', type: 'shell', run: ['npm', 'ci'] },
      { id: 'test', name: 'Test', type: 'shell', run: ['npm', 'test'], depends_on: ['install'] },
    ],
  };
  return run(client, (sql) => {
    const perRepository = sql.param(parameters.workflowsPerRepository, 'bigint');
    return `
      INSERT INTO workflow_definitions (id, repo_id, name, file_path, triggers, plan, content_hash, created_at, updated_at)
      OVERRIDING SYSTEM VALUE
      SELECT (r - 1) * ${perRepository} + k, r, 'ci-' || k, '.plue/workflows/ci-' || k || '.yml',
             ${sql.param(JSON.stringify([{ event: 'push', branches: ['main'] }]), 'jsonb')},
             ${sql.param(JSON.stringify(plan), 'jsonb')},
             encode(sha256(convert_to(r || '/' || k, 'UTF8')), 'hex'), now() - interval '2 years', now() - interval '2 years'
        FROM generate_series(1, ${sql.param(parameters.repositories, 'bigint')}) AS r,
             generate_series(1, ${perRepository}) AS k`;
  });
}

/**
 * runsPerWorkflow runs per definition, one every 6 hours up to now; most finished (80 % success),
 * the latest run of some definitions still queued or running.
 */
function insertWorkflowRuns(client: Client, parameters: DatasetParameters): Promise<void> {
  return run(client, (sql) => {
    const runs = sql.param(parameters.runsPerWorkflow, 'bigint');
    return `
      INSERT INTO workflow_runs (repo_id, definition_id, run_number, trigger_type, trigger_payload, ref, head_commit_id,
                                 status, started_at, completed_at, created_at, updated_at)
      SELECT repo_id, definition_id, n, 'push', '{"branch": "main"}', 'main', head_commit_id, status,
             CASE WHEN status <> 'queued' THEN created_at + interval '10 seconds' END,
             CASE WHEN status NOT IN ('queued', 'running') THEN created_at + interval '5 minutes' END,
             created_at,
             created_at + CASE WHEN status = 'queued' THEN interval '0' ELSE interval '5 minutes' END
        FROM (SELECT d.repo_id, d.id AS definition_id, n,
                     substr(md5(d.id || '/' || n) || md5(n || '/' || d.id), 1, 40) AS head_commit_id,
                     now() - (${runs} - n) * interval '6 hours' - (d.id % 360) * interval '1 minute' AS created_at,
                     CASE WHEN n = ${runs} AND d.id % 7 = 0 THEN 'running'
                          WHEN n = ${runs} AND d.id % 7 = 1 THEN 'queued'
                          WHEN draw < 0.8 THEN 'success'
                          WHEN draw < 0.95 THEN 'failure'
                          ELSE 'cancelled' END AS status
                FROM workflow_definitions d, generate_series(1, ${runs}) AS n, LATERAL (SELECT random() AS draw) AS drawn
              OFFSET 0) AS workflow_run`;
  });
}

/**
 * What the skipped triggers would have maintained (next issue and run numbers), and the identity
 * sequences past the explicit ids, so rows inserted later (by tests of the bench, by hand) fit in.
 */
async function setCountersAndSequences(client: Client, parameters: DatasetParameters): Promise<void> {
  await run(client, (sql) => {
    const repositories = sql.param(parameters.repositories, 'bigint');
    return `
      UPDATE repositories
         SET next_issue_number = 1 + ${sql.param(parameters.issues, 'bigint')} / ${repositories}
                                   + (id <= ${sql.param(parameters.issues, 'bigint')} % ${repositories})::int`;
  });
  await run(
    client,
    (sql) => `UPDATE workflow_definitions SET next_run_number = ${sql.param(parameters.runsPerWorkflow, 'bigint')} + 1`,
  );
  const highestIds: Record<string, number> = {
    'public.users': parameters.users,
    'public.repositories': parameters.repositories,
    'public.labels': parameters.repositories * parameters.labelsPerRepository,
    'public.milestones': parameters.repositories * parameters.milestonesPerRepository,
    'public.issues': parameters.issues,
    'public.workflow_definitions': parameters.repositories * parameters.workflowsPerRepository,
  };
  for (const [table, highestId] of Object.entries(highestIds)) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), greatest($2::bigint, 1), $2::bigint > 0)`, [
      table,
      highestId,
    ]);
  }
}
