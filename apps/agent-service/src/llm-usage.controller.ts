import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LlmUsageDao } from '@plue/agent';
import { RecordLlmUsageRpc, SumLlmUsageRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { RpcRequestPipe } from '@plue/service-kit';
import { llmUsageReply } from './session-replies';

/** LLM calls for accounting: one row per call, summed per user and period. */
@Controller()
export class LlmUsageController {
  constructor(private readonly usage: LlmUsageDao) {}

  @MessagePattern(RecordLlmUsageRpc.pattern)
  async record(
    @Payload(new RpcRequestPipe(RecordLlmUsageRpc)) request: RpcParsedRequestOf<typeof RecordLlmUsageRpc>,
  ): Promise<RpcReplyOf<typeof RecordLlmUsageRpc>> {
    return llmUsageReply(await this.usage.record(request));
  }

  @MessagePattern(SumLlmUsageRpc.pattern)
  sum(
    @Payload(new RpcRequestPipe(SumLlmUsageRpc)) request: RpcParsedRequestOf<typeof SumLlmUsageRpc>,
  ): Promise<RpcReplyOf<typeof SumLlmUsageRpc>> {
    return this.usage.sumForUser(request.userId, { from: new Date(request.from), to: new Date(request.to) });
  }
}
