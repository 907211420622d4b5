import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreatePullRequestRpc,
  GetPullRequestRpc,
  IssueOpened,
  MergePullRequestRpc,
  PullRequestMerged,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { MentionsDao, PullRequestsDao, type PullRequestWithIssue } from '@plue/collaboration';
import { ConflictError, inTransaction, NotFoundError, PreconditionFailedError } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { currentTraceparent, RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { MergeCheck, sameReviewFacts } from './merge-check';
import { pullRequestReply } from './replies';

@Controller()
export class PullRequestsController {
  constructor(
    private readonly db: DataSource,
    private readonly pullRequests: PullRequestsDao,
    private readonly mentions: MentionsDao,
    private readonly mergeCheck: MergeCheck,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The issue, the pull_requests row, the body's mentions and `issue.opened` commit together. */
  @MessagePattern(CreatePullRequestRpc.pattern)
  create(
    @Payload(new RpcRequestPipe(CreatePullRequestRpc)) request: RpcParsedRequestOf<typeof CreatePullRequestRpc>,
  ): Promise<RpcReplyOf<typeof CreatePullRequestRpc>> {
    const { headCommitSha, ...fields } = request;
    return inTransaction(this.db, async (tx) => {
      const opened = await this.pullRequests.create({ ...fields, headCommitId: headCommitSha }, tx);
      const mentions = await this.mentions.listForTarget('issue', opened.issue.id, tx);
      await this.outbox.emit(
        tx,
        IssueOpened.subject,
        opened.issue.id,
        {
          issueId: opened.issue.id,
          repoId: opened.issue.repoId,
          issueNumber: opened.issue.issueNumber,
          authorId: opened.issue.authorId,
          title: opened.issue.title,
          isPullRequest: true,
          mentionedUserIds: mentions.map((mention) => Number(mention.userId)),
        },
        { traceparent: currentTraceparent() },
      );
      return pullRequestReply(opened);
    });
  }

  @MessagePattern(GetPullRequestRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetPullRequestRpc)) request: RpcParsedRequestOf<typeof GetPullRequestRpc>,
  ): Promise<RpcReplyOf<typeof GetPullRequestRpc>> {
    const found = await this.pullRequests.getByNumber(request.repoId, request.number);
    if (!found) throw pullRequestNotFound(request.repoId, request.number);
    return pullRequestReply(found);
  }

  /**
   * DESIGN §4 flow 4. The reviewers' current verdicts are read here; git judges them (only
   * reviewers with write access count), the merger's write access and the head's statuses against
   * the base branch's rule (no transaction is held during that call), then the merge commits with
   * its event. Inside that transaction the pull request row is locked (reviews take a share lock
   * on it) and the facts git judged are read again: if the head or a verdict changed meanwhile,
   * nothing is merged and the caller retries.
   */
  @MessagePattern(MergePullRequestRpc.pattern)
  async merge(
    @Payload(new RpcRequestPipe(MergePullRequestRpc)) request: RpcParsedRequestOf<typeof MergePullRequestRpc>,
  ): Promise<RpcReplyOf<typeof MergePullRequestRpc>> {
    const current = await this.pullRequests.getByNumber(request.repoId, request.number);
    if (!current) throw pullRequestNotFound(request.repoId, request.number);
    assertOpen(current);
    const headCommitSha = current.pullRequest.headCommitId;
    if (headCommitSha === null) {
      throw new ConflictError(`pull request #${request.number} has no head commit to merge`, { field: 'number' });
    }
    const facts = await this.mergeCheck.reviewFacts(current.issue.id);
    const verdict = await this.mergeCheck.askGit({
      repoId: request.repoId,
      baseBranch: current.pullRequest.baseBranch,
      headCommitSha,
      mergerId: request.mergerId,
      mergeBaseSha: current.pullRequest.mergeBase,
      ...facts,
    });
    if (!verdict.allowed) {
      const what = verdict.rule
        ? `the protection rule ${verdict.rule.ruleName} of branch ${current.pullRequest.baseBranch} is`
        : `the merge requirements of branch ${current.pullRequest.baseBranch} are`;
      throw new PreconditionFailedError(`${what} not met`, { unmet: verdict.unmet, rule: verdict.rule });
    }
    return inTransaction(this.db, async (tx) => {
      // No merge commit is created here (git storage is not part of the platform yet): the merged
      // commit recorded is the head commit git checked.
      const merged = await this.pullRequests.merge(
        {
          issueId: current.issue.id,
          mergedBy: request.mergerId,
          mergedCommitId: headCommitSha,
          mergeStyle: request.mergeStyle,
        },
        tx,
      );
      const factsNow = await this.mergeCheck.reviewFacts(current.issue.id, tx);
      if (merged.pullRequest.headCommitId !== headCommitSha || !sameReviewFacts(facts, factsNow)) {
        throw new ConflictError(`pull request #${request.number} changed while its merge was checked; try again`, {
          field: 'number',
        });
      }
      await this.outbox.emit(
        tx,
        PullRequestMerged.subject,
        merged.issue.id,
        {
          issueId: merged.issue.id,
          repoId: merged.issue.repoId,
          issueNumber: merged.issue.issueNumber,
          baseBranch: merged.pullRequest.baseBranch,
          headBranch: merged.pullRequest.headBranch,
          headCommitSha,
          mergedCommitSha: headCommitSha,
          mergeStyle: request.mergeStyle,
          mergedBy: request.mergerId,
          // pull_requests_has_merged_check: a merged row has its merged_at.
          mergedAt: (merged.pullRequest.mergedAt as Date).toISOString(),
        },
        { traceparent: currentTraceparent() },
      );
      return pullRequestReply(merged);
    });
  }
}

export function pullRequestNotFound(repoId: number, number: number): NotFoundError {
  return new NotFoundError(`pull request #${number} does not exist in repository ${repoId}`, { field: 'number' });
}

/** A merged or closed pull request takes no more reviews or merges. */
export function assertOpen({ issue, pullRequest }: PullRequestWithIssue): void {
  if (pullRequest.hasMerged) {
    throw new ConflictError(`pull request #${issue.issueNumber} is already merged`, { field: 'number' });
  }
  if (issue.state === 'closed') {
    throw new ConflictError(`pull request #${issue.issueNumber} is closed`, { field: 'number' });
  }
}
