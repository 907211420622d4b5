import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { UsersDao } from '@plue/auth';
import {
  CreateUserRpc,
  DeactivateUserRpc,
  GetUserByUsernameRpc,
  GetUserByWalletAddressRpc,
  GetUserRpc,
  ReactivateUserRpc,
  SetUserLoginProhibitedRpc,
  UpdateUserRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { NotFoundError } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { userReply } from './replies';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersDao) {}

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
}
