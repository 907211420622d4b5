import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EmailAddressesDao } from '@plue/auth';
import {
  AddEmailAddressRpc,
  ListEmailAddressesRpc,
  RemoveEmailAddressRpc,
  SetPrimaryEmailAddressRpc,
  VerifyEmailAddressRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { RpcRequestPipe } from '@plue/service-kit';
import { emailAddressReply } from './replies';

@Controller()
export class EmailAddressesController {
  constructor(private readonly addresses: EmailAddressesDao) {}

  @MessagePattern(AddEmailAddressRpc.pattern)
  async add(
    @Payload(new RpcRequestPipe(AddEmailAddressRpc)) request: RpcParsedRequestOf<typeof AddEmailAddressRpc>,
  ): Promise<RpcReplyOf<typeof AddEmailAddressRpc>> {
    const { userId, ...data } = request;
    return emailAddressReply(await this.addresses.add(userId, data));
  }

  @MessagePattern(ListEmailAddressesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListEmailAddressesRpc)) request: RpcParsedRequestOf<typeof ListEmailAddressesRpc>,
  ): Promise<RpcReplyOf<typeof ListEmailAddressesRpc>> {
    return { items: (await this.addresses.list(request.userId)).map(emailAddressReply) };
  }

  @MessagePattern(VerifyEmailAddressRpc.pattern)
  async verify(
    @Payload(new RpcRequestPipe(VerifyEmailAddressRpc)) request: RpcParsedRequestOf<typeof VerifyEmailAddressRpc>,
  ): Promise<RpcReplyOf<typeof VerifyEmailAddressRpc>> {
    return emailAddressReply(await this.addresses.verify(request.userId, request.emailAddressId));
  }

  /** The address becomes the user's `email` in the same transaction. */
  @MessagePattern(SetPrimaryEmailAddressRpc.pattern)
  async setPrimary(
    @Payload(new RpcRequestPipe(SetPrimaryEmailAddressRpc))
    request: RpcParsedRequestOf<typeof SetPrimaryEmailAddressRpc>,
  ): Promise<RpcReplyOf<typeof SetPrimaryEmailAddressRpc>> {
    return emailAddressReply(await this.addresses.setPrimary(request.userId, request.emailAddressId));
  }

  @MessagePattern(RemoveEmailAddressRpc.pattern)
  async remove(
    @Payload(new RpcRequestPipe(RemoveEmailAddressRpc)) request: RpcParsedRequestOf<typeof RemoveEmailAddressRpc>,
  ): Promise<RpcReplyOf<typeof RemoveEmailAddressRpc>> {
    await this.addresses.remove(request.userId, request.emailAddressId);
    return { removed: true, emailAddressId: request.emailAddressId };
  }
}
