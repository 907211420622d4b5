import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateLabelRpc,
  DeleteLabelRpc,
  GetLabelRpc,
  ListLabelsRpc,
  UpdateLabelRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { LabelsDao } from '@plue/collaboration';
import { inTransaction } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { labelReply } from './labels.replies';
import { requireLabel } from './lookups';

/** A repository's labels. Labels applied to issues: `IssueLabelsController`. */
@Controller()
export class LabelsController {
  constructor(
    private readonly db: DataSource,
    private readonly labels: LabelsDao,
  ) {}

  @MessagePattern(CreateLabelRpc.pattern)
  async create(
    @Payload(new RpcRequestPipe(CreateLabelRpc)) request: RpcParsedRequestOf<typeof CreateLabelRpc>,
  ): Promise<RpcReplyOf<typeof CreateLabelRpc>> {
    return labelReply(await this.labels.create(request));
  }

  @MessagePattern(GetLabelRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetLabelRpc)) request: RpcParsedRequestOf<typeof GetLabelRpc>,
  ): Promise<RpcReplyOf<typeof GetLabelRpc>> {
    return labelReply(await requireLabel(this.labels, request.repoId, request.labelId));
  }

  @MessagePattern(ListLabelsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListLabelsRpc)) request: RpcParsedRequestOf<typeof ListLabelsRpc>,
  ): Promise<RpcReplyOf<typeof ListLabelsRpc>> {
    return { items: (await this.labels.list(request.repoId)).map(labelReply) };
  }

  @MessagePattern(UpdateLabelRpc.pattern)
  update(
    @Payload(new RpcRequestPipe(UpdateLabelRpc)) request: RpcParsedRequestOf<typeof UpdateLabelRpc>,
  ): Promise<RpcReplyOf<typeof UpdateLabelRpc>> {
    const { repoId, labelId, ...changes } = request;
    return inTransaction(this.db, async (tx) => {
      await requireLabel(this.labels, repoId, labelId, tx);
      return labelReply(await this.labels.update(labelId, changes, tx));
    });
  }

  @MessagePattern(DeleteLabelRpc.pattern)
  delete(
    @Payload(new RpcRequestPipe(DeleteLabelRpc)) request: RpcParsedRequestOf<typeof DeleteLabelRpc>,
  ): Promise<RpcReplyOf<typeof DeleteLabelRpc>> {
    return inTransaction(this.db, async (tx) => {
      await requireLabel(this.labels, request.repoId, request.labelId, tx);
      await this.labels.delete(request.labelId, tx);
      return { deleted: true as const, labelId: request.labelId };
    });
  }
}
