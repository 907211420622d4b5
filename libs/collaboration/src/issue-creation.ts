import { hydrate } from '@plue/db';
import { z } from 'zod';
import type { Tx } from '@plue/db';
import { Issue } from './entities/issue.entity';
import { rowsOf } from './result-rows';
import { issueColumns } from './issue-columns';
import { IssueAssigneesDao } from './issue-assignees.dao';
import { recordIssueEvent } from './issue-events.dao';
import { LabelsDao } from './labels.dao';
import { MentionsDao } from './mentions.dao';
import { idSchema, issueBodySchema, titleSchema } from './validation';

export const createIssueSchema = z
  .object({
    repoId: idSchema,
    authorId: idSchema,
    title: titleSchema,
    body: issueBodySchema.default(''),
    milestoneId: idSchema.nullable().default(null),
    labelIds: z.array(idSchema).max(50).default([]),
    assigneeIds: z.array(idSchema).max(10).default([]),
  })
  .strict();
export type CreateIssue = z.input<typeof createIssueSchema>;

/**
 * Opens an issue inside the caller's transaction (IssuesDao.create, and PullRequestsDao.create with
 * `isPull`): the row, numbered by the database's trigger (issue_number is left out of the INSERT),
 * the opened event, its labels, assignees and milestone events, and the body's mentions. Any failure
 * rolls the whole transaction back, the allocated number included.
 */
export async function openIssue(
  manager: Tx,
  input: z.output<typeof createIssueSchema>,
  isPull: boolean,
): Promise<Issue> {
  const [row] = rowsOf(
    await manager.query(
      `INSERT INTO issues (repo_id, author_id, title, body, is_pull, milestone_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${issueColumns()}`,
      [input.repoId, input.authorId, input.title, input.body, isPull, input.milestoneId],
    ),
  );
  const issue = hydrate(manager, Issue, row);
  const db = manager.connection;
  await recordIssueEvent(manager, issue.id, input.authorId, 'opened');
  if (input.labelIds.length) await new LabelsDao(db).addToIssue(issue.id, input.labelIds, input.authorId, manager);
  if (input.assigneeIds.length)
    await new IssueAssigneesDao(db).add(issue.id, input.assigneeIds, input.authorId, manager);
  if (input.milestoneId !== null)
    await recordIssueEvent(manager, issue.id, input.authorId, 'milestoned', { milestoneId: input.milestoneId });
  await new MentionsDao(db).sync('issue', issue.id, input.body, manager);
  return issue;
}
