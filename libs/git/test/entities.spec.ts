import { Branch, GIT_ENTITIES, Repository } from '@plue/git';
import { insertRepository, useTestDatabase } from '@plue/testing';
import { dataSourceFor, GIT_TABLES, sha } from './fixtures';

const database = useTestDatabase();

describe('git entities against the migrated database', () => {
  it('maps every git table, one entity each', async () => {
    const dataSource = dataSourceFor(database().url, 1);
    await dataSource.initialize();
    try {
      const tables = GIT_ENTITIES.map((entity) => dataSource.getMetadata(entity).tableName).sort();
      expect(tables).toEqual([...GIT_TABLES].sort());
    } finally {
      await dataSource.destroy();
    }
  });

  it('navigates the seed’s key relationships: owner, branches and protection rules of a repository', async () => {
    const client = await database().connect();
    const repository = (await insertRepository(client)) as { id: number; user_id: number };
    await client.query("INSERT INTO branches (repo_id, name, commit_id) VALUES ($1, 'main', $2)", [
      repository.id,
      sha(),
    ]);
    await client.query("INSERT INTO protected_branches (repo_id, rule_name) VALUES ($1, 'main')", [repository.id]);
    const dataSource = dataSourceFor(database().urlFor('plue_git'), 1);
    await dataSource.initialize();
    try {
      const loaded = await dataSource.manager.findOneOrFail(Repository, {
        where: { id: repository.id },
        relations: { owner: true, branches: true, protectedBranches: true },
      });
      expect(loaded.owner).toMatchObject({ id: repository.user_id });
      expect(loaded.branches?.map((branch) => branch.name)).toEqual(['main']);
      expect(loaded.protectedBranches?.map((rule) => rule.ruleName)).toEqual(['main']);
      const branch = await dataSource.manager.findOneOrFail(Branch, {
        where: { repoId: repository.id },
        relations: { repository: true },
      });
      expect(branch.repository?.id).toBe(repository.id);
    } finally {
      await dataSource.destroy();
    }
  });
});
