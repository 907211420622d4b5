import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { WorkflowRunsDao } from '@plue/agent';
import { GetWorkflowRunRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { RpcRequestPipe } from '@plue/service-kit';
import { workflowRunReply, workflowStepReply } from './replies';

/** Reading workflow runs (cancel and list_recent live with the workflows controller). */
@Controller()
export class WorkflowRunsController {
  constructor(private readonly runs: WorkflowRunsDao) {}

  /** The run and its steps, read in one transaction so they agree. */
  @MessagePattern(GetWorkflowRunRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetWorkflowRunRpc)) request: RpcParsedRequestOf<typeof GetWorkflowRunRpc>,
  ): Promise<RpcReplyOf<typeof GetWorkflowRunRpc>> {
    const run = await this.runs.getWithSteps(request.runId);
    return { ...workflowRunReply(run), steps: (run.steps ?? []).map(workflowStepReply) };
  }
}
