import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CheckMergeRpc,
  DeleteProtectedBranchRpc,
  ListProtectedBranchesRpc,
  UpsertProtectedBranchRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { inTransaction, NotFoundError } from '@plue/db';
import { BranchesDao, CollaboratorsDao, CommitStatusesDao, evaluateMerge, ProtectedBranchesDao } from '@plue/git';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { protectionRuleReply, unmetRequirements } from './replies';

@Controller()
export class ProtectedBranchesController {
  constructor(
    private readonly db: DataSource,
    private readonly rules: ProtectedBranchesDao,
    private readonly statuses: CommitStatusesDao,
    private readonly branches: BranchesDao,
    private readonly collaborators: CollaboratorsDao,
  ) {}

  /**
   * Creates the rule or replaces the one of the same name. Writers of one repository's rules take
   * turns on its row, so two upserts of a new name cannot both try to create it.
   */
  @MessagePattern(UpsertProtectedBranchRpc.pattern)
  upsert(
    @Payload(new RpcRequestPipe(UpsertProtectedBranchRpc))
    request: RpcParsedRequestOf<typeof UpsertProtectedBranchRpc>,
  ): Promise<RpcReplyOf<typeof UpsertProtectedBranchRpc>> {
    const { repoId, ruleName, ...fields } = request;
    return inTransaction(this.db, async (tx) => {
      const rows: unknown[] = await tx.query('SELECT 1 FROM repositories WHERE id = $1 FOR NO KEY UPDATE', [repoId]);
      if (rows.length === 0) throw new NotFoundError(`repository ${repoId} does not exist`, { field: 'repoId' });
      const existing = (await this.rules.list(repoId, tx)).find((rule) => rule.ruleName === ruleName);
      const rule = existing
        ? await this.rules.update(existing.id, { ruleName, ...fields }, tx)
        : await this.rules.create({ repoId, ruleName, ...fields }, tx);
      return { rule: protectionRuleReply(rule), created: !existing };
    });
  }

  @MessagePattern(ListProtectedBranchesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListProtectedBranchesRpc))
    request: RpcParsedRequestOf<typeof ListProtectedBranchesRpc>,
  ): Promise<RpcReplyOf<typeof ListProtectedBranchesRpc>> {
    return { items: (await this.rules.list(request.repoId)).map(protectionRuleReply) };
  }

  @MessagePattern(DeleteProtectedBranchRpc.pattern)
  delete(
    @Payload(new RpcRequestPipe(DeleteProtectedBranchRpc))
    request: RpcParsedRequestOf<typeof DeleteProtectedBranchRpc>,
  ): Promise<RpcReplyOf<typeof DeleteProtectedBranchRpc>> {
    return inTransaction(this.db, async (tx) => {
      const rule = (await this.rules.list(request.repoId, tx)).find((each) => each.ruleName === request.ruleName);
      if (!rule) {
        throw new NotFoundError(`repository ${request.repoId} has no protection rule ${request.ruleName}`, {
          field: 'ruleName',
        });
      }
      await this.rules.delete(rule.id, tx);
      return { deleted: true, ruleId: rule.id };
    });
  }

  /**
   * DESIGN §4 flow 4, git's half: who may merge and whose reviews count (permissions are git's),
   * then the rule of the base branch against the reviewers and the head commit's statuses. Without
   * a rule, only the merger's write access is required.
   */
  @MessagePattern(CheckMergeRpc.pattern)
  async checkMerge(
    @Payload(new RpcRequestPipe(CheckMergeRpc)) request: RpcParsedRequestOf<typeof CheckMergeRpc>,
  ): Promise<RpcReplyOf<typeof CheckMergeRpc>> {
    const { repoId, mergerId, approverIds, staleApproverIds, rejecterIds } = request;
    const permissions = await this.collaborators.permissionsOf(repoId, [
      mergerId,
      ...approverIds,
      ...staleApproverIds,
      ...rejecterIds,
    ]);
    const rule = await this.rules.ruleFor(repoId, request.baseBranch);
    const statuses = rule?.enableStatusCheck ? await this.statuses.listForCommit(repoId, request.headCommitSha) : [];
    const baseCommitSha = rule?.blockOnOutdatedBranch
      ? ((await this.branches.get(repoId, request.baseBranch))?.commitId ?? null)
      : null;
    const decision = evaluateMerge(rule, {
      approverIds,
      staleApproverIds,
      rejecterIds,
      mergerId,
      permissions,
      statuses,
      // An unknown merge base, or one that is not the base branch's head, means the head lacks base commits.
      isOutdated: request.mergeBaseSha === null || request.mergeBaseSha !== baseCommitSha,
    });
    return {
      allowed: decision.allowed,
      rule: rule && protectionRuleReply(rule),
      unmet: unmetRequirements(decision.blockers, { mergerId, baseCommitSha }),
    };
  }
}
