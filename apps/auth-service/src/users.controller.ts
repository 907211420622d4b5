import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GHOST_USERNAME, UsersDao } from '@plue/auth';
import {
  CreateUserRpc,
  DeactivateUserRpc,
  DeleteUserRpc,
  GetUserByUsernameRpc,
  GetUserByWalletAddressRpc,
  GetUserRpc,
  ReactivateUserRpc,
  SetUserLoginProhibitedRpc,
  UpdateUserRpc,
  UserDeleted,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { ConflictError, inTransaction, NotFoundError } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { currentTraceparent, RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { userReply } from './replies';

@Controller()
export class UsersController {
  constructor(
    private readonly db: DataSource,
    private readonly users: UsersDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /** No event yet: nothing downstream reacts to a new user (flow 6 starts from `user.deleted`). */
  @MessagePattern(CreateUserRpc.pattern)
  async create(
    @Payload(new RpcRequestPipe(CreateUserRpc)) request: RpcParsedRequestOf<typeof CreateUserRpc>,
  ): Promise<RpcReplyOf<typeof CreateUserRpc>> {
    return userReply(await this.users.create(request));
  }

  @MessagePattern(GetUserRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetUserRpc)) request: RpcParsedRequestOf<typeof GetUserRpc>,
  ): Promise<RpcReplyOf<typeof GetUserRpc>> {
    const user = await this.users.getById(request.userId);
    if (!user) throw new NotFoundError(`user ${request.userId} does not exist`, { field: 'userId' });
    return userReply(user);
  }

  @MessagePattern(GetUserByUsernameRpc.pattern)
  async getByUsername(
    @Payload(new RpcRequestPipe(GetUserByUsernameRpc)) request: RpcParsedRequestOf<typeof GetUserByUsernameRpc>,
  ): Promise<RpcReplyOf<typeof GetUserByUsernameRpc>> {
    const user = await this.users.getByUsername(request.username);
    if (!user) throw new NotFoundError(`user "${request.username}" does not exist`, { field: 'username' });
    return userReply(user);
  }

  @MessagePattern(GetUserByWalletAddressRpc.pattern)
  async getByWalletAddress(
    @Payload(new RpcRequestPipe(GetUserByWalletAddressRpc))
    request: RpcParsedRequestOf<typeof GetUserByWalletAddressRpc>,
  ): Promise<RpcReplyOf<typeof GetUserByWalletAddressRpc>> {
    const user = await this.users.getByWalletAddress(request.walletAddress);
    if (!user) throw new NotFoundError(`no user has wallet ${request.walletAddress}`, { field: 'walletAddress' });
    return userReply(user);
  }

  @MessagePattern(UpdateUserRpc.pattern)
  async update(
    @Payload(new RpcRequestPipe(UpdateUserRpc)) request: RpcParsedRequestOf<typeof UpdateUserRpc>,
  ): Promise<RpcReplyOf<typeof UpdateUserRpc>> {
    const { userId, ...changes } = request;
    return userReply(await this.users.update(userId, changes));
  }

  @MessagePattern(DeactivateUserRpc.pattern)
  async deactivate(
    @Payload(new RpcRequestPipe(DeactivateUserRpc)) request: RpcParsedRequestOf<typeof DeactivateUserRpc>,
  ): Promise<RpcReplyOf<typeof DeactivateUserRpc>> {
    return userReply(await this.users.deactivate(request.userId));
  }

  @MessagePattern(ReactivateUserRpc.pattern)
  async reactivate(
    @Payload(new RpcRequestPipe(ReactivateUserRpc)) request: RpcParsedRequestOf<typeof ReactivateUserRpc>,
  ): Promise<RpcReplyOf<typeof ReactivateUserRpc>> {
    return userReply(await this.users.reactivate(request.userId));
  }

  @MessagePattern(SetUserLoginProhibitedRpc.pattern)
  async setLoginProhibited(
    @Payload(new RpcRequestPipe(SetUserLoginProhibitedRpc))
    request: RpcParsedRequestOf<typeof SetUserLoginProhibitedRpc>,
  ): Promise<RpcReplyOf<typeof SetUserLoginProhibitedRpc>> {
    return userReply(await this.users.setLoginProhibited(request.userId, request.prohibited));
  }

  /**
   * DESIGN §4 flow 6, first step: the account stops working (deactivated, login barred, credentials
   * gone) and `user.deleted` is emitted in the same transaction; git and collaboration hand the
   * content to the ghost and confirm, and `UserContentHandoversHandler` deletes the row. Asking
   * again emits again, so a stalled deletion can be resumed (every hand-over is idempotent).
   */
  @MessagePattern(DeleteUserRpc.pattern)
  delete(
    @Payload(new RpcRequestPipe(DeleteUserRpc)) request: RpcParsedRequestOf<typeof DeleteUserRpc>,
  ): Promise<RpcReplyOf<typeof DeleteUserRpc>> {
    return inTransaction(this.db, async (tx) => {
      const existing = await this.users.getById(request.userId, tx);
      if (!existing) throw new NotFoundError(`user ${request.userId} does not exist`, { field: 'userId' });
      if (existing.username.toLowerCase() === GHOST_USERNAME) {
        throw new ConflictError('the ghost account cannot be deleted', { field: 'userId' });
      }
      const { user, ghost } = await this.users.beginDeletion(existing.id, tx);
      await this.outbox.emit(
        tx,
        UserDeleted.subject,
        user.id,
        { userId: user.id, username: user.username, ghostUserId: ghost.id },
        { traceparent: currentTraceparent() },
      );
      return { userId: user.id, ghostUserId: ghost.id, status: 'deleting' };
    });
  }
}
