import type { DataSource } from 'typeorm';
import { entityDrift } from '@plue/db';
import { useTestDatabase } from '@plue/testing';
import { COLLABORATION_ENTITIES, Issue, PinnedIssue } from '../src';
import { openDataSource } from './support';

const database = useTestDatabase();
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await openDataSource(database().url, 1);
});
afterAll(() => dataSource?.destroy());

const collaborationTables = () =>
  dataSource.entityMetadatas
    .filter((metadata) => COLLABORATION_ENTITIES.some((entity) => entity === metadata.target))
    .map((metadata) => metadata.tableName);

describe('collaboration entities', () => {
  it('map the 14 collaboration tables', () => {
    expect(collaborationTables().sort()).toEqual([
      'comments',
      'issue_assignees',
      'issue_dependencies',
      'issue_events',
      'issue_labels',
      'issues',
      'labels',
      'mentions',
      'milestones',
      'pinned_issues',
      'pull_requests',
      'reactions',
      'review_comments',
      'reviews',
    ]);
  });

  it('agree with the database: the schema builder finds nothing to change (all four domains loaded)', async () => {
    expect(await entityDrift(dataSource)).toEqual([]);
  });

  it('would be caught disagreeing: a changed column type, nullability or a missing index shows up by name', async () => {
    const altered = await openDataSource(database().url, 1);
    try {
      const issue = altered.getMetadata(Issue);
      const title = issue.findColumnWithPropertyName('title');
      if (!title) throw new Error('Issue.title is not mapped');
      title.type = 'varchar';
      const pinOrder = altered.getMetadata(PinnedIssue).findColumnWithPropertyName('pinOrder');
      if (!pinOrder) throw new Error('PinnedIssue.pinOrder is not mapped');
      pinOrder.isNullable = true;
      issue.indices = issue.indices.filter((index) => index.name !== 'issues_author_id_idx');
      const drift = (await entityDrift(altered)).join('\n');
      expect(drift).toContain('entity Issue (public.issues), column title');
      expect(drift).toContain('entity PinnedIssue (public.pinned_issues), column pin_order (property pinOrder)');
      expect(drift).toContain('issues_author_id_idx');
    } finally {
      await altered.destroy();
    }
  });
});
