import { Injectable } from '@nestjs/common';
import { CheckMergeRpc, type RpcReplyOf, type RpcRequestOf } from '@plue/contracts';
import { ReviewsDao, type CurrentVerdicts } from '@plue/collaboration';
import { UnavailableError, type Tx } from '@plue/db';
import { RpcCallError, RpcClient } from '@plue/service-kit';

/**
 * What collaboration tells git about a pull request's reviews (DESIGN §4 flow 4): who holds which
 * current verdict. Git decides whose verdicts count, since it alone knows who has write access.
 */
export type ReviewFacts = CurrentVerdicts;

export function sameReviewFacts(a: ReviewFacts, b: ReviewFacts): boolean {
  const same = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((id, index) => id === y[index]);
  return (
    same(a.approverIds, b.approverIds) &&
    same(a.staleApproverIds, b.staleApproverIds) &&
    same(a.rejecterIds, b.rejecterIds)
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
   * user's. The lists are ascending, so two reads of unchanged verdicts compare equal.
   */
  reviewFacts(issueId: number, tx?: Tx): Promise<ReviewFacts> {
    return this.reviews.currentVerdicts(issueId, tx);
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
