import type { Runner, WorkflowDefinition, WorkflowRun, WorkflowStep } from '@plue/agent';
import type {
  ClaimWorkflowStepRpc,
  CompleteWorkflowStepRpc,
  RegisterRunnerRpc,
  RpcReplyOf,
  UpsertWorkflowDefinitionRpc,
} from '@plue/contracts';

// Entities become the contracts' reply shapes: explicit fields (nothing leaks by being added to an
// entity) and ISO-8601 times (JSON has no dates).

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function workflowDefinitionReply(
  definition: WorkflowDefinition,
): RpcReplyOf<typeof UpsertWorkflowDefinitionRpc> {
  return {
    id: definition.id,
    repoId: definition.repoId,
    name: definition.name,
    filePath: definition.filePath,
    triggers: (Array.isArray(definition.triggers) ? definition.triggers : [definition.triggers]) as Record<
      string,
      unknown
    >[],
    plan: definition.plan as unknown as Record<string, unknown>,
    contentHash: definition.contentHash,
    isActive: definition.isActive,
    createdAt: definition.createdAt.toISOString(),
    updatedAt: definition.updatedAt.toISOString(),
  };
}

export function workflowRunReply(run: WorkflowRun): RpcReplyOf<typeof CompleteWorkflowStepRpc>['run'] {
  return {
    id: run.id,
    repoId: run.repoId,
    definitionId: run.definitionId,
    runNumber: run.runNumber,
    triggerType: run.triggerType,
    ref: run.ref,
    headCommitSha: run.headCommitId,
    status: run.status,
    startedAt: iso(run.startedAt),
    completedAt: iso(run.completedAt),
    createdAt: run.createdAt.toISOString(),
  };
}

export function workflowStepReply(step: WorkflowStep): NonNullable<RpcReplyOf<typeof ClaimWorkflowStepRpc>['step']> {
  return {
    id: step.id,
    runId: step.runId,
    stepKey: step.stepKey,
    name: step.name,
    type: step.type,
    config: step.config as unknown as Record<string, unknown>,
    dependsOn: step.dependsOn,
    status: step.status,
    runnerId: step.runnerId,
    attempt: step.attempt,
    exitCode: step.exitCode,
    error: step.error,
    startedAt: iso(step.startedAt),
    completedAt: iso(step.completedAt),
  };
}

export function runnerReply(runner: Runner): RpcReplyOf<typeof RegisterRunnerRpc> {
  return {
    id: runner.id,
    podName: runner.podName,
    podIp: runner.podIp,
    status: runner.status,
    labels: runner.labels,
    lastHeartbeat: runner.lastHeartbeat.toISOString(),
    claimedByStepId: runner.claimedByStepId,
  };
}
