import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListMentionsRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { MentionsDao } from '@plue/collaboration';
import { RpcRequestPipe } from '@plue/service-kit';
import { mentionReply } from './mentions.replies';

/** A user's @-mentions (written by the issue and comment commands that carry the text). */
@Controller()
export class MentionsController {
  constructor(private readonly mentions: MentionsDao) {}

  @MessagePattern(ListMentionsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListMentionsRpc)) request: RpcParsedRequestOf<typeof ListMentionsRpc>,
  ): Promise<RpcReplyOf<typeof ListMentionsRpc>> {
    return { items: (await this.mentions.listForUser(request.userId, request.limit)).map(mentionReply) };
  }
}
