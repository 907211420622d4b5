import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddIssueDependencyRpc,
  ListIssueBlockersRpc,
  ListIssuesBlockedRpc,
  RemoveIssueDependencyRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { IssueDependenciesDao, IssuesDao, type Issue } from '@plue/collaboration';
import { inTransaction, type Tx } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { dependencyReply } from './issue-dependencies.replies';
import { requireIssue } from './lookups';
import { issueReply } from './replies';
import { withRequestField } from './request-fields';

type DependencyRequest = RpcParsedRequestOf<typeof AddIssueDependencyRpc>;

/**
 * Blocking relations between issues. The DAO (and a trigger behind it) refuses an edge that would
 * close a cycle; each change and its timeline event commit together.
 */
@Controller()
export class IssueDependenciesController {
  constructor(
    private readonly db: DataSource,
    private readonly issues: IssuesDao,
    private readonly dependencies: IssueDependenciesDao,
  ) {}

  @MessagePattern(AddIssueDependencyRpc.pattern)
  add(
    @Payload(new RpcRequestPipe(AddIssueDependencyRpc)) request: DependencyRequest,
  ): Promise<RpcReplyOf<typeof AddIssueDependencyRpc>> {
    return inTransaction(this.db, async (tx) => {
      const { issue, dependsOn } = await this.edge(request, tx);
      const dependency = await withRequestField(
        this.dependencies.add({ issueId: issue.id, dependsOnIssueId: dependsOn.id, actorId: request.actorId }, tx),
        'dependsOnIssueId',
        'dependsOnNumber',
      );
      return dependencyReply(dependency, issue, dependsOn);
    });
  }

  @MessagePattern(RemoveIssueDependencyRpc.pattern)
  remove(
    @Payload(new RpcRequestPipe(RemoveIssueDependencyRpc)) request: DependencyRequest,
  ): Promise<RpcReplyOf<typeof RemoveIssueDependencyRpc>> {
    return inTransaction(this.db, async (tx) => {
      const { issue, dependsOn } = await this.edge(request, tx);
      const removed = await withRequestField(
        this.dependencies.remove({ issueId: issue.id, dependsOnIssueId: dependsOn.id, actorId: request.actorId }, tx),
        'dependsOnIssueId',
        'dependsOnNumber',
      );
      return { removed };
    });
  }

  @MessagePattern(ListIssueBlockersRpc.pattern)
  async listBlockers(
    @Payload(new RpcRequestPipe(ListIssueBlockersRpc)) request: RpcParsedRequestOf<typeof ListIssueBlockersRpc>,
  ): Promise<RpcReplyOf<typeof ListIssueBlockersRpc>> {
    const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber');
    return { items: (await this.dependencies.listBlockers(issue.id)).map(issueReply) };
  }

  @MessagePattern(ListIssuesBlockedRpc.pattern)
  async listBlocked(
    @Payload(new RpcRequestPipe(ListIssuesBlockedRpc)) request: RpcParsedRequestOf<typeof ListIssuesBlockedRpc>,
  ): Promise<RpcReplyOf<typeof ListIssuesBlockedRpc>> {
    const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber');
    return { items: (await this.dependencies.listBlocked(issue.id)).map(issueReply) };
  }

  /** The two issues of a dependency; the blocker is in `repoId` unless `dependsOnRepoId` says otherwise. */
  private async edge(request: DependencyRequest, tx: Tx): Promise<{ issue: Issue; dependsOn: Issue }> {
    const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber', tx);
    const dependsOnRepoId = request.dependsOnRepoId ?? request.repoId;
    const dependsOn = await requireIssue(this.issues, dependsOnRepoId, request.dependsOnNumber, 'dependsOnNumber', tx);
    return { issue, dependsOn };
  }
}
