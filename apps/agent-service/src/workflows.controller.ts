import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { WorkflowDefinitionsDao, WorkflowRunsDao } from '@plue/agent';
import {
  CancelWorkflowRunRpc,
  ListRecentWorkflowRunsRpc,
  UpsertWorkflowDefinitionRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { inTransaction } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { workflowDefinitionReply, workflowRunReply } from './replies';
import { emitIfEndedNow } from './run-completed';

@Controller()
export class WorkflowsController {
  constructor(
    private readonly db: DataSource,
    private readonly definitions: WorkflowDefinitionsDao,
    private readonly runs: WorkflowRunsDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Triggers and plan are validated by the DAO (a cycle is a `validation_failed` naming the steps). */
  @MessagePattern(UpsertWorkflowDefinitionRpc.pattern)
  async upsertDefinition(
    @Payload(new RpcRequestPipe(UpsertWorkflowDefinitionRpc))
    request: RpcParsedRequestOf<typeof UpsertWorkflowDefinitionRpc>,
  ): Promise<RpcReplyOf<typeof UpsertWorkflowDefinitionRpc>> {
    return workflowDefinitionReply(await this.definitions.upsert(request));
  }

  /** The seed's "recent workflow runs" query (`WorkflowRunsDao.recentRuns`). */
  @MessagePattern(ListRecentWorkflowRunsRpc.pattern)
  async listRecentRuns(
    @Payload(new RpcRequestPipe(ListRecentWorkflowRunsRpc))
    request: RpcParsedRequestOf<typeof ListRecentWorkflowRunsRpc>,
  ): Promise<RpcReplyOf<typeof ListRecentWorkflowRunsRpc>> {
    const runs = await this.runs.recentRuns(request.repoId, request.limit);
    return { items: runs.map((run) => ({ ...workflowRunReply(run), workflowName: run.workflowName })) };
  }

  /** Cancels the run (no further step is handed out) and emits its `completed` event (cancelled) with it. */
  @MessagePattern(CancelWorkflowRunRpc.pattern)
  cancelRun(
    @Payload(new RpcRequestPipe(CancelWorkflowRunRpc)) request: RpcParsedRequestOf<typeof CancelWorkflowRunRpc>,
  ): Promise<RpcReplyOf<typeof CancelWorkflowRunRpc>> {
    return inTransaction(this.db, async (tx) => {
      const run = await this.runs.cancel(request.runId, tx);
      await emitIfEndedNow(this.outbox, tx, run);
      return workflowRunReply(run);
    });
  }
}
