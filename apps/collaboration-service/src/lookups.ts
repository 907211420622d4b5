import type {
  Comment,
  CommentsDao,
  Issue,
  IssuesDao,
  Label,
  LabelsDao,
  Milestone,
  MilestonesDao,
} from '@plue/collaboration';
import { NotFoundError, type Tx } from '@plue/db';
import { issueNotFound } from './issues.controller';

// Callers address rows the way users see them: inside a repository. A row of another repository is
// `not_found`, exactly like a row that does not exist, so an id leaks nothing across repositories.

/** The issue (or pull request) `number` of the repository; `field` names the request field on `not_found`. */
export async function requireIssue(
  issues: IssuesDao,
  repoId: number,
  number: number,
  field: string,
  tx?: Tx,
): Promise<Issue> {
  const issue = await issues.getByNumber(repoId, number, tx);
  if (!issue) throw issueNotFound(repoId, number, field);
  return issue;
}

/** The label `labelId` of the repository. */
export async function requireLabel(labels: LabelsDao, repoId: number, labelId: number, tx?: Tx): Promise<Label> {
  const label = await labels.getById(labelId, tx);
  if (!label || label.repoId !== repoId) {
    throw new NotFoundError(`label ${labelId} does not exist in repository ${repoId}`, { field: 'labelId' });
  }
  return label;
}

/** The milestone `milestoneId` of the repository. */
export async function requireMilestone(
  milestones: MilestonesDao,
  repoId: number,
  milestoneId: number,
  tx?: Tx,
): Promise<Milestone> {
  const milestone = await milestones.getById(milestoneId, tx);
  if (!milestone || milestone.repoId !== repoId) {
    throw new NotFoundError(`milestone ${milestoneId} does not exist in repository ${repoId}`, {
      field: 'milestoneId',
    });
  }
  return milestone;
}

/** The comment `commentId` on an issue of the repository, with that issue (replies name its number). */
export async function requireComment(
  comments: CommentsDao,
  issues: IssuesDao,
  repoId: number,
  commentId: number,
  tx?: Tx,
): Promise<{ comment: Comment; issue: Issue }> {
  const comment = await comments.getById(commentId, tx);
  const issue = comment && (await issues.getById(comment.issueId, tx));
  if (!comment || !issue || issue.repoId !== repoId) {
    throw new NotFoundError(`comment ${commentId} does not exist in repository ${repoId}`, { field: 'commentId' });
  }
  return { comment, issue };
}
