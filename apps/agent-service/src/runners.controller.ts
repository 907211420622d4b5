import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RunnerPoolDao, WorkflowLogsDao, WorkflowStepsDao } from '@plue/agent';
import {
  AppendWorkflowLogsRpc,
  ClaimWorkflowStepRpc,
  CompleteWorkflowStepRpc,
  RegisterRunnerRpc,
  RunnerHeartbeatRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { ConflictError, inTransaction, NotFoundError } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { runnerReply, workflowRunReply, workflowStepReply } from './replies';
import { emitIfEndedNow } from './run-completed';

/** The protocol a workflow runner speaks: register, heartbeat, claim a step, append its logs, report its result. */
@Controller()
export class RunnersController {
  constructor(
    private readonly db: DataSource,
    private readonly runners: RunnerPoolDao,
    private readonly steps: WorkflowStepsDao,
    private readonly logs: WorkflowLogsDao,
    private readonly outbox: OutboxWriter,
  ) {}

  @MessagePattern(RegisterRunnerRpc.pattern)
  async register(
    @Payload(new RpcRequestPipe(RegisterRunnerRpc)) request: RpcParsedRequestOf<typeof RegisterRunnerRpc>,
  ): Promise<RpcReplyOf<typeof RegisterRunnerRpc>> {
    return runnerReply(await this.runners.register(request));
  }

  @MessagePattern(RunnerHeartbeatRpc.pattern)
  async heartbeat(
    @Payload(new RpcRequestPipe(RunnerHeartbeatRpc)) request: RpcParsedRequestOf<typeof RunnerHeartbeatRpc>,
  ): Promise<RpcReplyOf<typeof RunnerHeartbeatRpc>> {
    return runnerReply(await this.runners.heartbeat(request.runnerId));
  }

  /** Claims the oldest ready step and starts it, in one transaction: the runner gets a running step. */
  @MessagePattern(ClaimWorkflowStepRpc.pattern)
  claim(
    @Payload(new RpcRequestPipe(ClaimWorkflowStepRpc)) request: RpcParsedRequestOf<typeof ClaimWorkflowStepRpc>,
  ): Promise<RpcReplyOf<typeof ClaimWorkflowStepRpc>> {
    return inTransaction(this.db, async (tx) => {
      const claimed = await this.steps.claimNextReadyStep(request.runnerId, tx);
      if (!claimed) return { step: null };
      return { step: workflowStepReply(await this.steps.startStep(claimed.id, request.runnerId, tx)) };
    });
  }

  /**
   * Records the step's result and moves its run forward; when this completion ends the run,
   * `workflow_run.completed` is emitted in the same transaction.
   */
  @MessagePattern(CompleteWorkflowStepRpc.pattern)
  complete(
    @Payload(new RpcRequestPipe(CompleteWorkflowStepRpc))
    request: RpcParsedRequestOf<typeof CompleteWorkflowStepRpc>,
  ): Promise<RpcReplyOf<typeof CompleteWorkflowStepRpc>> {
    const { runnerId, stepId, ...result } = request;
    return inTransaction(this.db, async (tx) => {
      const { step, run } = await this.steps.completeStep(stepId, runnerId, result, tx);
      await emitIfEndedNow(this.outbox, tx, run);
      return { step: workflowStepReply(step), run: workflowRunReply(run) };
    });
  }

  /** A batch of log lines of the step this runner is running, under the step's row lock. */
  @MessagePattern(AppendWorkflowLogsRpc.pattern)
  appendLogs(
    @Payload(new RpcRequestPipe(AppendWorkflowLogsRpc)) request: RpcParsedRequestOf<typeof AppendWorkflowLogsRpc>,
  ): Promise<RpcReplyOf<typeof AppendWorkflowLogsRpc>> {
    return inTransaction(this.db, async (tx) => {
      const [step] = (await tx.query(
        'SELECT status, runner_id::int AS runner FROM workflow_steps WHERE id = $1 FOR UPDATE',
        [request.stepId],
      )) as { status: string; runner: number | null }[];
      if (!step) throw new NotFoundError(`workflow step ${request.stepId} not found`, { field: 'stepId' });
      if (step.status !== 'running' || step.runner !== request.runnerId) {
        throw new ConflictError(
          `workflow step ${request.stepId} is ${step.status} on runner ${step.runner ?? 'none'}, not running on runner ${request.runnerId}`,
          { field: 'stepId', status: step.status },
        );
      }
      return this.logs.append(request.stepId, request.lines, tx);
    });
  }
}
