import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ArchiveRepositoryRpc,
  CreateRepositoryRpc,
  DeleteRepositoryRpc,
  GetRepositoryByNameRpc,
  GetRepositoryRpc,
  ListRepositoriesRpc,
  RepositoryCreated,
  UnarchiveRepositoryRpc,
  UpdateRepositoryRpc,
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

  @MessagePattern(GetRepositoryByNameRpc.pattern)
  async getByName(
    @Payload(new RpcRequestPipe(GetRepositoryByNameRpc)) request: RpcParsedRequestOf<typeof GetRepositoryByNameRpc>,
  ): Promise<RpcReplyOf<typeof GetRepositoryByNameRpc>> {
    const repository = await this.repositories.getByOwnerAndName(request.owner, request.name);
    if (!repository) {
      throw new NotFoundError(`repository ${request.owner}/${request.name} does not exist`, { field: 'name' });
    }
    return repositoryReply(repository);
  }

  @MessagePattern(UpdateRepositoryRpc.pattern)
  async update(
    @Payload(new RpcRequestPipe(UpdateRepositoryRpc)) request: RpcParsedRequestOf<typeof UpdateRepositoryRpc>,
  ): Promise<RpcReplyOf<typeof UpdateRepositoryRpc>> {
    const { repoId, ...patch } = request;
    return repositoryReply(await this.repositories.update(repoId, patch));
  }

  @MessagePattern(ArchiveRepositoryRpc.pattern)
  async archive(
    @Payload(new RpcRequestPipe(ArchiveRepositoryRpc)) request: RpcParsedRequestOf<typeof ArchiveRepositoryRpc>,
  ): Promise<RpcReplyOf<typeof ArchiveRepositoryRpc>> {
    return repositoryReply(await this.repositories.archive(request.repoId));
  }

  @MessagePattern(UnarchiveRepositoryRpc.pattern)
  async unarchive(
    @Payload(new RpcRequestPipe(UnarchiveRepositoryRpc)) request: RpcParsedRequestOf<typeof UnarchiveRepositoryRpc>,
  ): Promise<RpcReplyOf<typeof UnarchiveRepositoryRpc>> {
    return repositoryReply(await this.repositories.unarchive(request.repoId));
  }

  /** The database cascades the delete to everything of the repository, in every domain. */
  @MessagePattern(DeleteRepositoryRpc.pattern)
  async delete(
    @Payload(new RpcRequestPipe(DeleteRepositoryRpc)) request: RpcParsedRequestOf<typeof DeleteRepositoryRpc>,
  ): Promise<RpcReplyOf<typeof DeleteRepositoryRpc>> {
    await this.repositories.delete(request.repoId);
    return { deleted: true, repoId: request.repoId };
  }
}
