import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  GetWatchRpc,
  ListWatchersRpc,
  RemoveWatchRpc,
  SetWatchRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { inTransaction } from '@plue/db';
import { WatchesDao } from '@plue/git';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { watchReply } from './replies';

@Controller()
export class WatchesController {
  constructor(
    private readonly db: DataSource,
    private readonly watches: WatchesDao,
  ) {}

  @MessagePattern(SetWatchRpc.pattern)
  async set(
    @Payload(new RpcRequestPipe(SetWatchRpc)) request: RpcParsedRequestOf<typeof SetWatchRpc>,
  ): Promise<RpcReplyOf<typeof SetWatchRpc>> {
    return watchReply(await this.watches.watch(request.userId, request.repoId, request.mode));
  }

  @MessagePattern(RemoveWatchRpc.pattern)
  async remove(
    @Payload(new RpcRequestPipe(RemoveWatchRpc)) request: RpcParsedRequestOf<typeof RemoveWatchRpc>,
  ): Promise<RpcReplyOf<typeof RemoveWatchRpc>> {
    return { changed: await this.watches.unwatch(request.userId, request.repoId) };
  }

  @MessagePattern(GetWatchRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetWatchRpc)) request: RpcParsedRequestOf<typeof GetWatchRpc>,
  ): Promise<RpcReplyOf<typeof GetWatchRpc>> {
    const mode = await this.watches.modeOf(request.userId, request.repoId);
    return { userId: request.userId, repoId: request.repoId, mode };
  }

  /** The page and the count come from one snapshot, so `total` agrees with the pages. */
  @MessagePattern(ListWatchersRpc.pattern)
  listWatchers(
    @Payload(new RpcRequestPipe(ListWatchersRpc)) request: RpcParsedRequestOf<typeof ListWatchersRpc>,
  ): Promise<RpcReplyOf<typeof ListWatchersRpc>> {
    const { repoId, ...options } = request;
    return inTransaction(
      this.db,
      async (tx) => {
        const page = await this.watches.listWatchers(repoId, options, tx);
        const total = await this.watches.countWatchers(repoId, tx);
        return { items: page.items.map(watchReply), nextCursor: page.nextCursor, total };
      },
      'REPEATABLE READ',
    );
  }
}
