import { createHash, randomBytes } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { eventually, unique, useTestDatabase } from '@plue/testing';
import { startPlatform, type Platform } from './support/platform';

// DESIGN §4 flow 6 across the real built services: auth-service's `user.delete` bars the account and
// emits plue.auth.user.deleted; git-service and collaboration-service hand the user's content to the
// `ghost` account and confirm (plue.git|collaboration.user_content.reassigned); auth-service then
// deletes the row, whose CASCADE keys take the user's personal rows along.

const database = useTestDatabase();
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform(database(), ['auth', 'git', 'collaboration']);
});

afterAll(async () => {
  await platform?.stop();
});

interface User {
  id: number;
  username: string;
  isActive: boolean;
  prohibitLogin: boolean;
}
interface Repository {
  id: number;
  ownerId: number;
  name: string;
}
interface Issue {
  id: number;
  number: number;
  authorId: number;
}
interface Deletion {
  userId: number;
  ghostUserId: number;
  status: string;
}

const sha = () => createHash('sha1').update(unique('commit')).digest('hex');
const inOneDay = () => new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();

function createUser(): Promise<User> {
  return platform.call<User>('plue.rpc.auth.user.create', { username: unique('u') });
}

/** Resolves once auth-service answers `not_found` for the user: the row is gone. */
async function gone(userId: number): Promise<true> {
  return eventually(async () => {
    const failure = await platform.call('plue.rpc.auth.user.get', { userId }).then(
      () => undefined,
      (error: { failure?: { code: string } }) => error.failure,
    );
    return failure?.code === 'not_found' ? true : undefined;
  });
}

/**
 * Every column that references users, read from the catalog (so a table added later is covered
 * without touching this test), with how many rows in it still hold `userId`.
 */
async function rowsReferencing(userId: number): Promise<{ column: string; rows: number }[]> {
  const { rows: keys } = await platform.admin.query<{ schema: string; table: string; column: string }>(
    `SELECT n.nspname AS schema, t.relname AS table, a.attname AS column
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
      WHERE c.contype = 'f' AND c.confrelid = 'public.users'::regclass
      ORDER BY 1, 2, 3`,
  );
  const counts = [];
  for (const key of keys) {
    // Identifiers come from the catalog and are escaped; the user id is a parameter.
    const { rows } = await platform.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${escapeIdentifier(key.schema)}.${escapeIdentifier(key.table)}
        WHERE ${escapeIdentifier(key.column)} = $1`,
      [userId],
    );
    counts.push({ column: `${key.table}.${key.column}`, rows: rows[0].n });
  }
  return counts;
}

async function updatedAt(table: 'issues' | 'comments' | 'branches', id: number): Promise<string> {
  const { rows } = await platform.admin.query(`SELECT updated_at::text AS t FROM ${table} WHERE id = $1`, [id]);
  return rows[0].t as string;
}

it("hands a deleted user's content in git and collaboration to ghost, then removes the account and every reference to it", async () => {
  const owner = await createUser();
  const leaving = await createUser();
  const another = await createUser(); // deleted at the same time, with a repository of the same name
  const project = await platform.call<Repository>('plue.rpc.git.repository.create', {
    ownerId: owner.id,
    name: unique('project-'),
  });
  const dotfiles = await platform.call<Repository>('plue.rpc.git.repository.create', {
    ownerId: leaving.id,
    name: 'dotfiles',
  });
  const otherDotfiles = await platform.call<Repository>('plue.rpc.git.repository.create', {
    ownerId: another.id,
    name: 'DotFiles',
  });

  // Content in git: a branch pushed on someone else's repository and a commit status there.
  const featureSha = sha();
  const pushed = await platform.call<{ branch: { id: number } }>('plue.rpc.git.branch.push', {
    repoId: project.id,
    branch: 'feature/leaving',
    headCommitSha: featureSha,
    pusherId: leaving.id,
  });
  await platform.call('plue.rpc.git.branch.push', {
    repoId: dotfiles.id,
    branch: 'main',
    headCommitSha: sha(),
    pusherId: leaving.id,
  });
  await platform.call('plue.rpc.git.commit_status.upsert', {
    repoId: project.id,
    commitSha: featureSha,
    context: 'ci/manual',
    state: 'success',
    creatorId: leaving.id,
  });

  // Content in collaboration: an issue and a comment on the owner's repository, an assignment.
  const issue = await platform.call<Issue>('plue.rpc.collaboration.issue.create', {
    repoId: project.id,
    authorId: leaving.id,
    title: 'Crash on start',
    body: `cc @${owner.username}`,
  });
  const ownersIssue = await platform.call<Issue>('plue.rpc.collaboration.issue.create', {
    repoId: project.id,
    authorId: owner.id,
    title: 'Please look',
    assigneeIds: [leaving.id],
  });
  const comment = await platform.call<{ id: number }>('plue.rpc.collaboration.comment.create', {
    repoId: project.id,
    issueNumber: ownersIssue.number,
    authorId: leaving.id,
    body: 'On it',
  });

  // Personal rows: a token over RPC; rows without an RPC yet inserted directly.
  const token = await platform.call<{ plaintext: string }>('plue.rpc.auth.access_token.create', {
    userId: leaving.id,
    name: 'laptop',
    scopes: ['repo:read'],
    expiresAt: inOneDay(),
  });
  const admin = platform.admin;
  await admin.query('INSERT INTO email_addresses (user_id, email) VALUES ($1, $2)', [
    leaving.id,
    `${leaving.username}@example.com`,
  ]);
  await admin.query(
    "INSERT INTO auth_sessions (session_key, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')",
    [randomBytes(32).toString('hex'), leaving.id],
  );
  await admin.query('INSERT INTO stars (user_id, repo_id) VALUES ($1, $2)', [leaving.id, project.id]);
  await admin.query('INSERT INTO watches (user_id, repo_id) VALUES ($1, $2)', [leaving.id, project.id]);
  await admin.query("INSERT INTO collaborators (repo_id, user_id, permission) VALUES ($1, $2, 'write')", [
    project.id,
    leaving.id,
  ]);
  await admin.query("INSERT INTO reactions (user_id, target_type, target_id, content) VALUES ($1, 'issue', $2, '+1')", [
    leaving.id,
    ownersIssue.id,
  ]);
  const { rows: rules } = await admin.query(
    `INSERT INTO protected_branches (repo_id, rule_name, enable_push_allowlist, push_allowlist_user_ids)
     VALUES ($1, 'main', true, ARRAY[$2, $3]::bigint[]) RETURNING id`,
    [project.id, owner.id, leaving.id],
  );
  await admin.query("INSERT INTO sessions (user_id, title) VALUES ($1, 'agent chat')", [leaving.id]);
  const { rows: usage } = await admin.query(
    "INSERT INTO llm_usage (user_id, model, provider) VALUES ($1, 'm', 'p') RETURNING id",
    [leaving.id],
  );
  const before = {
    issue: await updatedAt('issues', issue.id),
    comment: await updatedAt('comments', comment.id),
    branch: await updatedAt('branches', pushed.branch.id),
  };
  expect((await rowsReferencing(leaving.id)).filter((key) => key.rows > 0).length).toBeGreaterThan(10);

  const [deletion, otherDeletion] = await Promise.all([
    platform.call<Deletion>('plue.rpc.auth.user.delete', { userId: leaving.id }),
    platform.call<Deletion>('plue.rpc.auth.user.delete', { userId: another.id }),
  ]);
  expect(deletion).toEqual({ userId: leaving.id, ghostUserId: expect.any(Number), status: 'deleting' });
  expect(otherDeletion.ghostUserId).toBe(deletion.ghostUserId);
  const ghostId = deletion.ghostUserId;
  // The account stopped working with the request, before the hand-over.
  expect(
    await platform.callExpectingError('plue.rpc.auth.access_token.authenticate', { token: token.plaintext }),
  ).toMatchObject({ code: 'unauthenticated' });

  await gone(leaving.id);
  await gone(another.id);

  const ghost = await platform.call<User>('plue.rpc.auth.user.get_by_username', { username: 'ghost' });
  expect(ghost).toMatchObject({ id: ghostId, username: 'ghost', prohibitLogin: true });

  // git: repositories belong to ghost (the second "dotfiles" renamed), pushers and creators too.
  const ghostRepositories = await platform.call<{ items: Repository[] }>('plue.rpc.git.repository.list', {
    ownerId: ghostId,
    includePrivate: true,
  });
  const moved = ghostRepositories.items.filter((repository) => [dotfiles.id, otherDotfiles.id].includes(repository.id));
  expect(moved.map((repository) => repository.name.toLowerCase()).sort()).toEqual(['dotfiles', 'dotfiles-1']);
  expect(await platform.call<Repository>('plue.rpc.git.repository.get', { repoId: project.id })).toMatchObject({
    ownerId: owner.id,
  });
  const { rows: branches } = await admin.query(
    'SELECT pusher_id::int AS pusher FROM branches WHERE repo_id = ANY($1)',
    [[project.id, dotfiles.id]],
  );
  expect(branches).toEqual([{ pusher: ghostId }, { pusher: ghostId }]);
  const { rows: statuses } = await admin.query(
    'SELECT creator_id::int AS creator FROM commit_statuses WHERE repo_id = $1 AND commit_sha = $2',
    [project.id, featureSha],
  );
  expect(statuses).toEqual([{ creator: ghostId }]);
  const { rows: allowlists } = await admin.query(
    'SELECT push_allowlist_user_ids::int[] AS ids FROM protected_branches WHERE id = $1',
    [rules[0].id],
  );
  expect(allowlists).toEqual([{ ids: [owner.id] }]);

  // collaboration: the issue, the comment, the assignment and the reaction are ghost's.
  expect(
    await platform.call<Issue>('plue.rpc.collaboration.issue.get', { repoId: project.id, number: issue.number }),
  ).toMatchObject({ authorId: ghostId });
  const { rows: comments } = await admin.query('SELECT author_id::int AS author FROM comments WHERE id = $1', [
    comment.id,
  ]);
  expect(comments).toEqual([{ author: ghostId }]);
  const { rows: assignees } = await admin.query('SELECT user_id::int AS id FROM issue_assignees WHERE issue_id = $1', [
    ownersIssue.id,
  ]);
  expect(assignees).toEqual([{ id: ghostId }]);
  const { rows: reactions } = await admin.query(
    "SELECT user_id::int AS id FROM reactions WHERE target_type = 'issue' AND target_id = $1",
    [ownersIssue.id],
  );
  expect(reactions).toEqual([{ id: ghostId }]);

  // Handing over is bookkeeping: it does not make the content "recently updated".
  expect({
    issue: await updatedAt('issues', issue.id),
    comment: await updatedAt('comments', comment.id),
    branch: await updatedAt('branches', pushed.branch.id),
  }).toEqual(before);

  // Usage records outlive the user (SET NULL); nothing anywhere points at either deleted id.
  const { rows: usageRows } = await admin.query('SELECT user_id FROM llm_usage WHERE id = $1', [usage[0].id]);
  expect(usageRows).toEqual([{ user_id: null }]);
  for (const userId of [leaving.id, another.id]) {
    expect((await rowsReferencing(userId)).filter((key) => key.rows > 0)).toEqual([]);
  }
});

it('refuses to delete the ghost account, answers not_found for an unknown user, and writes nothing for bad input', async () => {
  const quiet = await createUser(); // no content anywhere: deleted as soon as both domains confirm
  const { ghostUserId } = await platform.call<Deletion>('plue.rpc.auth.user.delete', { userId: quiet.id });
  await gone(quiet.id);

  expect(await platform.callExpectingError('plue.rpc.auth.user.delete', { userId: ghostUserId })).toMatchObject({
    code: 'conflict',
    details: { field: 'userId' },
  });
  expect(await platform.call<User>('plue.rpc.auth.user.get', { userId: ghostUserId })).toMatchObject({
    username: 'ghost',
  });
  expect(await platform.callExpectingError('plue.rpc.auth.user.delete', { userId: 987_654_321 })).toMatchObject({
    code: 'not_found',
    details: { field: 'userId' },
  });

  const bystander = await createUser();
  const counts = async () => {
    const { rows } = await platform.admin.query(
      `SELECT (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM users WHERE is_active)::int AS active,
              (SELECT count(*) FROM auth.outbox)::int AS outbox`,
    );
    return rows[0];
  };
  const before = await counts();
  for (const [data, field] of [
    [{ userId: String(bystander.id) }, 'userId'],
    [{ userId: -1 }, 'userId'],
    [{ userId: 1.5 }, 'userId'],
    [{}, 'userId'],
    [{ userId: bystander.id, force: true }, '(input)'],
  ] as const) {
    const failure = await platform.callExpectingError('plue.rpc.auth.user.delete', data);
    expect(failure.code).toBe('validation_failed');
    const issues = (failure.details as { issues: { field: string }[] }).issues;
    expect(issues.map((issue) => issue.field)).toContain(field);
  }
  expect(await counts()).toEqual(before);
  expect(await platform.call<User>('plue.rpc.auth.user.get', { userId: bystander.id })).toMatchObject({
    isActive: true,
    prohibitLogin: false,
  });
});
