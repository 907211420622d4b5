import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SubmitReviewRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { PullRequestsDao, ReviewsDao } from '@plue/collaboration';
import { inTransaction, ValidationError } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { assertOpen, pullRequestNotFound } from './pull-requests.controller';
import { reviewReply } from './replies';

@Controller()
export class ReviewsController {
  constructor(
    private readonly db: DataSource,
    private readonly pullRequests: PullRequestsDao,
    private readonly reviews: ReviewsDao,
  ) {}

  /**
   * Records a submitted review of the current head commit. The share lock on the pull request row
   * makes a concurrent merge wait for this verdict (or this review wait for the merge, after which
   * the pull request is merged and the review refused).
   */
  @MessagePattern(SubmitReviewRpc.pattern)
  submit(
    @Payload(new RpcRequestPipe(SubmitReviewRpc)) request: RpcParsedRequestOf<typeof SubmitReviewRpc>,
  ): Promise<RpcReplyOf<typeof SubmitReviewRpc>> {
    return inTransaction(this.db, async (tx) => {
      await tx.query(
        `SELECT p.id FROM pull_requests p JOIN issues i ON i.id = p.issue_id
          WHERE i.repo_id = $1 AND i.issue_number = $2 FOR SHARE OF p`,
        [request.repoId, request.number],
      );
      const current = await this.pullRequests.getByNumber(request.repoId, request.number, tx);
      if (!current) throw pullRequestNotFound(request.repoId, request.number);
      assertOpen(current);
      if (request.state !== 'commented' && request.reviewerId === current.issue.authorId) {
        throw new ValidationError([
          { field: 'reviewerId', message: 'the author of a pull request can comment on it, not approve or reject it' },
        ]);
      }
      const review = await this.reviews.create(
        {
          issueId: current.issue.id,
          reviewerId: request.reviewerId,
          state: request.state,
          body: request.body,
          commitId: current.pullRequest.headCommitId,
        },
        tx,
      );
      return reviewReply(review, current.issue);
    });
  }
}
