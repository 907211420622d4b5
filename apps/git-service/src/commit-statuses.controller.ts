import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { UpsertCommitStatusRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { CommitStatusesDao } from '@plue/git';
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
}
