import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  GetCombinedCommitStatusRpc,
  ListCommitStatusesRpc,
  UpsertCommitStatusRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { combineStates, CommitStatusesDao } from '@plue/git';
import { RpcRequestPipe } from '@plue/service-kit';
import { commitStatusReply } from './replies';

@Controller()
export class CommitStatusesController {
  constructor(private readonly statuses: CommitStatusesDao) {}

  @MessagePattern(UpsertCommitStatusRpc.pattern)
  async upsert(
    @Payload(new RpcRequestPipe(UpsertCommitStatusRpc)) request: RpcParsedRequestOf<typeof UpsertCommitStatusRpc>,
  ): Promise<RpcReplyOf<typeof UpsertCommitStatusRpc>> {
    return commitStatusReply(await this.statuses.upsert(request));
  }

  @MessagePattern(ListCommitStatusesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListCommitStatusesRpc)) request: RpcParsedRequestOf<typeof ListCommitStatusesRpc>,
  ): Promise<RpcReplyOf<typeof ListCommitStatusesRpc>> {
    const statuses = await this.statuses.listForCommit(request.repoId, request.commitSha);
    return { items: statuses.map(commitStatusReply) };
  }

  /**
   * Combines the statuses it returns (one read, so the state always agrees with the list) with
   * `combineStates`, which the git lib's tests hold to the same answers as its SQL twin.
   */
  @MessagePattern(GetCombinedCommitStatusRpc.pattern)
  async getCombined(
    @Payload(new RpcRequestPipe(GetCombinedCommitStatusRpc))
    request: RpcParsedRequestOf<typeof GetCombinedCommitStatusRpc>,
  ): Promise<RpcReplyOf<typeof GetCombinedCommitStatusRpc>> {
    const statuses = await this.statuses.listForCommit(request.repoId, request.commitSha);
    return {
      repoId: request.repoId,
      commitSha: request.commitSha,
      state: combineStates(statuses.map((status) => status.state)),
      total: statuses.length,
      statuses: statuses.map(commitStatusReply),
    };
  }
}
