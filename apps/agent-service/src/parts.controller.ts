import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PartsDao } from '@plue/agent';
import { ListPartsRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { RpcRequestPipe } from '@plue/service-kit';
import { partReply } from './session-replies';

/** Parts of messages, for callers that hold messages without them (or reload them while streaming). */
@Controller()
export class PartsController {
  constructor(private readonly parts: PartsDao) {}

  @MessagePattern(ListPartsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListPartsRpc)) request: RpcParsedRequestOf<typeof ListPartsRpc>,
  ): Promise<RpcReplyOf<typeof ListPartsRpc>> {
    return { items: (await this.parts.listForMessages(request.messageIds)).map(partReply) };
  }
}
