import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateRepositoryRpc,
  GetRepositoryRpc,
  ListRepositoriesRpc,
  RepositoryCreated,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { inTransaction, NotFoundError } from '@plue/db';
import { RepositoriesDao } from '@plue/git';
import { OutboxWriter } from '@plue/messaging';
import { currentTraceparent, RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { repositoryReply } from './replies';

@Controller()
export class RepositoriesController {
  constructor(
    private readonly db: DataSource,
    private readonly repositories: RepositoriesDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The row and its `repository.created` event commit together (collaboration adds default labels). */
  @MessagePattern(CreateRepositoryRpc.pattern)
  create(
    @Payload(new RpcRequestPipe(CreateRepositoryRpc)) request: RpcParsedRequestOf<typeof CreateRepositoryRpc>,
  ): Promise<RpcReplyOf<typeof CreateRepositoryRpc>> {
    return inTransaction(this.db, async (tx) => {
      const repository = await this.repositories.create(request, tx);
      await this.outbox.emit(
        tx,
        RepositoryCreated.subject,
        repository.id,
        {
          repoId: repository.id,
          ownerId: repository.userId,
          name: repository.name,
          defaultBranch: repository.defaultBranch,
          isPublic: repository.isPublic,
        },
        { traceparent: currentTraceparent() },
      );
      return repositoryReply(repository);
    });
  }

  @MessagePattern(GetRepositoryRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetRepositoryRpc)) request: RpcParsedRequestOf<typeof GetRepositoryRpc>,
  ): Promise<RpcReplyOf<typeof GetRepositoryRpc>> {
    const repository = await this.repositories.getById(request.repoId);
    if (!repository) throw new NotFoundError(`repository ${request.repoId} does not exist`, { field: 'repoId' });
    return repositoryReply(repository);
  }

  @MessagePattern(ListRepositoriesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListRepositoriesRpc)) request: RpcParsedRequestOf<typeof ListRepositoriesRpc>,
  ): Promise<RpcReplyOf<typeof ListRepositoriesRpc>> {
    const { ownerId, ...options } = request;
    const page = await this.repositories.listByOwner(ownerId, options);
    return { items: page.items.map(repositoryReply), nextCursor: page.nextCursor };
  }
}
