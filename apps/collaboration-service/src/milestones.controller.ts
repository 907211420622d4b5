import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CloseMilestoneRpc,
  CreateMilestoneRpc,
  DeleteMilestoneRpc,
  GetMilestoneRpc,
  ListMilestonesRpc,
  MilestoneProgressRpc,
  ReopenMilestoneRpc,
  UpdateMilestoneRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { MilestonesDao } from '@plue/collaboration';
import { inTransaction } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { requireMilestone } from './lookups';
import { milestoneReply } from './milestones.replies';

type MilestoneAddress = RpcParsedRequestOf<typeof GetMilestoneRpc>;

/** A repository's milestones. Issues join one through `issue.create` (`milestoneId`). */
@Controller()
export class MilestonesController {
  constructor(
    private readonly db: DataSource,
    private readonly milestones: MilestonesDao,
  ) {}

  @MessagePattern(CreateMilestoneRpc.pattern)
  async create(
    @Payload(new RpcRequestPipe(CreateMilestoneRpc)) request: RpcParsedRequestOf<typeof CreateMilestoneRpc>,
  ): Promise<RpcReplyOf<typeof CreateMilestoneRpc>> {
    return milestoneReply(await this.milestones.create(request));
  }

  @MessagePattern(GetMilestoneRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetMilestoneRpc)) request: MilestoneAddress,
  ): Promise<RpcReplyOf<typeof GetMilestoneRpc>> {
    return milestoneReply(await requireMilestone(this.milestones, request.repoId, request.milestoneId));
  }

  @MessagePattern(ListMilestonesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListMilestonesRpc)) request: RpcParsedRequestOf<typeof ListMilestonesRpc>,
  ): Promise<RpcReplyOf<typeof ListMilestonesRpc>> {
    return { items: (await this.milestones.list(request.repoId, request.state)).map(milestoneReply) };
  }

  @MessagePattern(UpdateMilestoneRpc.pattern)
  update(
    @Payload(new RpcRequestPipe(UpdateMilestoneRpc)) request: RpcParsedRequestOf<typeof UpdateMilestoneRpc>,
  ): Promise<RpcReplyOf<typeof UpdateMilestoneRpc>> {
    const { repoId, milestoneId, ...changes } = request;
    return inTransaction(this.db, async (tx) => {
      await requireMilestone(this.milestones, repoId, milestoneId, tx);
      return milestoneReply(await this.milestones.update(milestoneId, changes, tx));
    });
  }

  @MessagePattern(CloseMilestoneRpc.pattern)
  close(
    @Payload(new RpcRequestPipe(CloseMilestoneRpc)) request: MilestoneAddress,
  ): Promise<RpcReplyOf<typeof CloseMilestoneRpc>> {
    return inTransaction(this.db, async (tx) => {
      await requireMilestone(this.milestones, request.repoId, request.milestoneId, tx);
      return milestoneReply(await this.milestones.close(request.milestoneId, tx));
    });
  }

  @MessagePattern(ReopenMilestoneRpc.pattern)
  reopen(
    @Payload(new RpcRequestPipe(ReopenMilestoneRpc)) request: MilestoneAddress,
  ): Promise<RpcReplyOf<typeof ReopenMilestoneRpc>> {
    return inTransaction(this.db, async (tx) => {
      await requireMilestone(this.milestones, request.repoId, request.milestoneId, tx);
      return milestoneReply(await this.milestones.reopen(request.milestoneId, tx));
    });
  }

  @MessagePattern(DeleteMilestoneRpc.pattern)
  delete(
    @Payload(new RpcRequestPipe(DeleteMilestoneRpc)) request: MilestoneAddress,
  ): Promise<RpcReplyOf<typeof DeleteMilestoneRpc>> {
    return inTransaction(this.db, async (tx) => {
      await requireMilestone(this.milestones, request.repoId, request.milestoneId, tx);
      await this.milestones.delete(request.milestoneId, tx);
      return { deleted: true as const, milestoneId: request.milestoneId };
    });
  }

  @MessagePattern(MilestoneProgressRpc.pattern)
  async progress(
    @Payload(new RpcRequestPipe(MilestoneProgressRpc)) request: MilestoneAddress,
  ): Promise<RpcReplyOf<typeof MilestoneProgressRpc>> {
    await requireMilestone(this.milestones, request.repoId, request.milestoneId);
    const { open, closed } = await this.milestones.progress(request.milestoneId);
    return { milestoneId: request.milestoneId, open, closed };
  }
}
