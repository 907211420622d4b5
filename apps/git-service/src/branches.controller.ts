import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BranchPushed, GetBranchRpc, PushBranchRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { inTransaction, NotFoundError, type Tx } from '@plue/db';
import { BranchesDao } from '@plue/git';
import { OutboxWriter } from '@plue/messaging';
import { currentTraceparent, RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { branchReply } from './replies';

@Controller()
export class BranchesController {
  constructor(
    private readonly db: DataSource,
    private readonly branches: BranchesDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * Moves (or creates) the branch and emits `branch.pushed` (agent starts matching workflows) in
   * one transaction. Pushes to one repository take turns on its row, so the head read before the
   * upsert is the `beforeCommitSha` of exactly this push.
   */
  @MessagePattern(PushBranchRpc.pattern)
  push(
    @Payload(new RpcRequestPipe(PushBranchRpc)) request: RpcParsedRequestOf<typeof PushBranchRpc>,
  ): Promise<RpcReplyOf<typeof PushBranchRpc>> {
    return inTransaction(this.db, async (tx) => {
      await this.lockRepository(tx, request.repoId);
      const before = await this.liveHead(tx, request.repoId, request.branch);
      const { branch, created } = await this.branches.upsertOnPush(
        {
          repoId: request.repoId,
          name: request.branch,
          commitId: request.headCommitSha,
          commitMessage: request.commitMessage,
          commitTime: request.commitTime === null ? null : new Date(request.commitTime),
          pusherId: request.pusherId,
        },
        tx,
      );
      await this.outbox.emit(
        tx,
        BranchPushed.subject,
        request.repoId,
        {
          repoId: request.repoId,
          branch: branch.name,
          ref: `refs/heads/${branch.name}`,
          beforeCommitSha: before,
          headCommitSha: branch.commitId,
          pusherId: request.pusherId,
          forced: request.forced,
        },
        { traceparent: currentTraceparent() },
      );
      return { branch: branchReply(branch), created, beforeCommitSha: before };
    });
  }

  /** The live branch, following renames (`name` in the reply is the branch's current name). */
  @MessagePattern(GetBranchRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetBranchRpc)) request: RpcParsedRequestOf<typeof GetBranchRpc>,
  ): Promise<RpcReplyOf<typeof GetBranchRpc>> {
    const branch = await this.branches.get(request.repoId, request.branch);
    if (!branch) {
      throw new NotFoundError(`branch ${request.branch} does not exist in repository ${request.repoId}`, {
        field: 'branch',
      });
    }
    return branchReply(branch);
  }

  private async lockRepository(tx: Tx, repoId: number): Promise<void> {
    const rows: unknown[] = await tx.query('SELECT 1 FROM repositories WHERE id = $1 FOR NO KEY UPDATE', [repoId]);
    if (rows.length === 0) throw new NotFoundError(`repository ${repoId} does not exist`, { field: 'repoId' });
  }

  /** The live branch's commit by its exact name (a push never follows renames), or null. */
  private async liveHead(tx: Tx, repoId: number, name: string): Promise<string | null> {
    const rows: { commit_id: string }[] = await tx.query(
      'SELECT commit_id FROM branches WHERE repo_id = $1 AND name = $2 AND NOT is_deleted',
      [repoId, name],
    );
    return rows[0]?.commit_id ?? null;
  }
}
