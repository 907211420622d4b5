import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { WorkflowLogsDao, WorkflowStepsDao } from '@plue/agent';
import { ListWorkflowLogsRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { NotFoundError } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { workflowLogPage } from './workflow-log-page';

/** Reading (tailing) the logs of workflow steps; runners append them through the runner protocol. */
@Controller()
export class WorkflowLogsController {
  constructor(
    private readonly steps: WorkflowStepsDao,
    private readonly logs: WorkflowLogsDao,
  ) {}

  /**
   * The step is read before its lines: a step already finished then has all its lines written (logs
   * are accepted only while it runs), so a finished status with `hasMore` false means complete.
   */
  @MessagePattern(ListWorkflowLogsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListWorkflowLogsRpc)) request: RpcParsedRequestOf<typeof ListWorkflowLogsRpc>,
  ): Promise<RpcReplyOf<typeof ListWorkflowLogsRpc>> {
    const { stepId, afterSequence, limit } = request;
    const step = await this.steps.getById(stepId);
    if (!step) throw new NotFoundError(`workflow step ${stepId} not found`, { field: 'stepId' });
    const lines = await this.logs.listAfter(stepId, { afterSequence, limit: limit + 1 });
    return workflowLogPage(step, afterSequence, limit, lines);
  }
}
