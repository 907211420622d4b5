import { eventually, insertUser, unique, useTestDatabase } from '@plue/testing';
import { handledEvents, startPlatform, type Platform } from './support/platform';

// DESIGN §4 flow 1 across the real built services: a repository created through git-service gets
// its default labels in collaboration-service (plue.git.repository.created), once, readable over
// plain NATS in the contracts README's wire format.

const database = useTestDatabase();
let platform: Platform;

// The contract's list (libs/collaboration/src/default-labels.ts), written out: the test must fail
// if the set changes without this flow's public behaviour being reconsidered.
const DEFAULT_LABEL_NAMES = [
  'bug',
  'documentation',
  'duplicate',
  'enhancement',
  'good first issue',
  'help wanted',
  'invalid',
  'question',
  'wontfix',
];

beforeAll(async () => {
  platform = await startPlatform(database(), ['git', 'collaboration']);
});

afterAll(async () => {
  await platform?.stop();
});

async function labelNames(repoId: number): Promise<string[]> {
  const { items } = await platform.call<{ items: { name: string }[] }>('plue.rpc.collaboration.label.list', { repoId });
  return items.map((label) => label.name);
}

it('gives a new repository the default labels (DESIGN §4 flow 1)', async () => {
  const owner = await insertUser(platform.admin);
  const created = await Promise.all(
    ['one', 'two'].map((name) =>
      platform.call<{ id: number }>('plue.rpc.git.repository.create', {
        ownerId: owner.id as number,
        name: unique(`${name}-`),
      }),
    ),
  );

  for (const repository of created) {
    const names = await eventually(async () => {
      const current = await labelNames(repository.id);
      return current.length > 0 ? current : undefined;
    });
    expect(names).toEqual(DEFAULT_LABEL_NAMES);
  }

  // Each event handled once: both repositories' events committed, and no label twice.
  await eventually(async () =>
    (await handledEvents(platform.admin, 'collaboration', ['plue.git.repository.created'])) === 2 ? true : undefined,
  );
  const { rows } = await platform.admin.query(
    'SELECT repo_id::int AS repo_id, count(*)::int AS n FROM labels WHERE repo_id = ANY ($1) GROUP BY repo_id ORDER BY repo_id',
    [created.map((repository) => repository.id)],
  );
  const repoIds = created.map((repository) => repository.id).sort((a, b) => a - b);
  expect(rows).toEqual(repoIds.map((repoId) => ({ repo_id: repoId, n: DEFAULT_LABEL_NAMES.length })));
});

it('refuses an invalid repository and gives nothing labels', async () => {
  const owner = await insertUser(platform.admin);
  const count = async () =>
    (
      await platform.admin.query(
        'SELECT (SELECT count(*) FROM repositories)::int AS repositories, (SELECT count(*) FROM labels)::int AS labels',
      )
    ).rows[0];
  const before = await count();
  const failure = await platform.callExpectingError('plue.rpc.git.repository.create', {
    ownerId: owner.id as number,
    name: '',
  });
  expect(failure).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'name' }] } });
  expect(await count()).toEqual(before);
});
