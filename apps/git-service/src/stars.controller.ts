import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddStarRpc,
  ListStargazersRpc,
  ListStarredRpc,
  RemoveStarRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { StarsDao } from '@plue/git';
import { inTransaction } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { starReply } from './replies';

@Controller()
export class StarsController {
  constructor(
    private readonly db: DataSource,
    private readonly stars: StarsDao,
  ) {}

  @MessagePattern(AddStarRpc.pattern)
  async add(
    @Payload(new RpcRequestPipe(AddStarRpc)) request: RpcParsedRequestOf<typeof AddStarRpc>,
  ): Promise<RpcReplyOf<typeof AddStarRpc>> {
    return { changed: await this.stars.star(request.userId, request.repoId) };
  }

  @MessagePattern(RemoveStarRpc.pattern)
  async remove(
    @Payload(new RpcRequestPipe(RemoveStarRpc)) request: RpcParsedRequestOf<typeof RemoveStarRpc>,
  ): Promise<RpcReplyOf<typeof RemoveStarRpc>> {
    return { changed: await this.stars.unstar(request.userId, request.repoId) };
  }

  /** The page and the count come from one snapshot, so `total` agrees with the pages. */
  @MessagePattern(ListStargazersRpc.pattern)
  listStargazers(
    @Payload(new RpcRequestPipe(ListStargazersRpc)) request: RpcParsedRequestOf<typeof ListStargazersRpc>,
  ): Promise<RpcReplyOf<typeof ListStargazersRpc>> {
    const { repoId, ...options } = request;
    return inTransaction(
      this.db,
      async (tx) => {
        const page = await this.stars.listStargazers(repoId, options, tx);
        const total = await this.stars.count(repoId, tx);
        return { items: page.items.map(starReply), nextCursor: page.nextCursor, total };
      },
      'REPEATABLE READ',
    );
  }

  @MessagePattern(ListStarredRpc.pattern)
  async listStarred(
    @Payload(new RpcRequestPipe(ListStarredRpc)) request: RpcParsedRequestOf<typeof ListStarredRpc>,
  ): Promise<RpcReplyOf<typeof ListStarredRpc>> {
    const { userId, ...options } = request;
    const page = await this.stars.listStarred(userId, options);
    return { items: page.items.map(starReply), nextCursor: page.nextCursor };
  }
}
