import { Injectable } from '@nestjs/common';
import { CheckMergeRpc, type RpcReplyOf, type RpcRequestOf } from '@plue/contracts';
import { ReviewsDao } from '@plue/collaboration';
import { UnavailableError, type Tx } from '@plue/db';
import { RpcCallError, RpcClient } from '@plue/service-kit';

/** What collaboration tells git about a pull request's reviews (DESIGN §4 flow 4: counted here). */
export interface ReviewFacts {
  /** Reviewers whose current verdict approves the current head. */
  approvals: number;
  /** Reviewers whose current verdict approves an older head (the rule decides whether they count). */
  staleApprovals: number;
  hasRejectedReviews: boolean;
}

export function sameReviewFacts(a: ReviewFacts, b: ReviewFacts): boolean {
  return (
    a.approvals === b.approvals &&
    a.staleApprovals === b.staleApprovals &&
    a.hasRejectedReviews === b.hasRejectedReviews
  );
}

/** The two halves of the merge check: the review facts from collaboration's tables, the verdict from git. */
@Injectable()
export class MergeCheck {
  constructor(
    private readonly reviews: ReviewsDao,
    private readonly rpc: RpcClient,
  ) {}

  /**
   * A reviewer's current verdict is their latest approval, change request or dismissal (see
   * ReviewsDao). The author cannot give one (review.submit refuses it), so every approval is another
   * user's.
   */
  async reviewFacts(issueId: number, tx?: Tx): Promise<ReviewFacts> {
    const fresh = await this.reviews.countApprovals(issueId, { excludeStale: true }, tx);
    const all = await this.reviews.countApprovals(issueId, {}, tx);
    const hasRejectedReviews = await this.reviews.hasChangesRequested(issueId, tx);
    return { approvals: fresh, staleApprovals: all - fresh, hasRejectedReviews };
  }

  /**
   * Git's verdict. Fails closed: no answer (no instance subscribed, timeout) or an error answer is
   * an `UnavailableError`, so a merge never goes ahead without git's yes.
   */
  async askGit(request: RpcRequestOf<typeof CheckMergeRpc>): Promise<RpcReplyOf<typeof CheckMergeRpc>> {
    try {
      return await this.rpc.call(CheckMergeRpc, request);
    } catch (error) {
      const reason = error instanceof RpcCallError ? `git replied ${error.code}` : String(error);
      throw new UnavailableError('git-service did not check the branch protection rule; nothing was merged', {
        service: 'git-service',
        pattern: CheckMergeRpc.pattern,
        reason,
      });
    }
  }
}
