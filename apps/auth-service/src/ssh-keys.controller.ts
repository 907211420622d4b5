import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SshKeysDao } from '@plue/auth';
import {
  AddSshKeyRpc,
  GetSshKeyByFingerprintRpc,
  ListSshKeysRpc,
  RemoveSshKeyRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { NotFoundError } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { sshKeyReply } from './replies';

/** SSH public keys: what the git transport matches the key an SSH client offers against. */
@Controller()
export class SshKeysController {
  constructor(private readonly keys: SshKeysDao) {}

  /** The DAO checks the key data and computes the `ssh-keygen -l` fingerprint from it. */
  @MessagePattern(AddSshKeyRpc.pattern)
  async add(
    @Payload(new RpcRequestPipe(AddSshKeyRpc)) request: RpcParsedRequestOf<typeof AddSshKeyRpc>,
  ): Promise<RpcReplyOf<typeof AddSshKeyRpc>> {
    const { userId, ...data } = request;
    return sshKeyReply(await this.keys.add(userId, data));
  }

  @MessagePattern(ListSshKeysRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListSshKeysRpc)) request: RpcParsedRequestOf<typeof ListSshKeysRpc>,
  ): Promise<RpcReplyOf<typeof ListSshKeysRpc>> {
    return { items: (await this.keys.list(request.userId)).map(sshKeyReply) };
  }

  @MessagePattern(RemoveSshKeyRpc.pattern)
  async remove(
    @Payload(new RpcRequestPipe(RemoveSshKeyRpc)) request: RpcParsedRequestOf<typeof RemoveSshKeyRpc>,
  ): Promise<RpcReplyOf<typeof RemoveSshKeyRpc>> {
    await this.keys.remove(request.userId, request.keyId);
    return { removed: true, keyId: request.keyId };
  }

  @MessagePattern(GetSshKeyByFingerprintRpc.pattern)
  async getByFingerprint(
    @Payload(new RpcRequestPipe(GetSshKeyByFingerprintRpc))
    request: RpcParsedRequestOf<typeof GetSshKeyByFingerprintRpc>,
  ): Promise<RpcReplyOf<typeof GetSshKeyByFingerprintRpc>> {
    const key = await this.keys.getByFingerprint(request.fingerprint);
    if (!key) throw new NotFoundError('no ssh key has this fingerprint', { field: 'fingerprint' });
    return sshKeyReply(key);
  }
}
