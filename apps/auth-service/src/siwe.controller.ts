import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SiweNoncesDao } from '@plue/auth';
import { IssueSiweNonceRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { RpcRequestPipe } from '@plue/service-kit';

/** Sign-In With Ethereum. Verifying a signed message (and consuming its nonce) comes later. */
@Controller()
export class SiweController {
  constructor(private readonly nonces: SiweNoncesDao) {}

  /** The nonce goes into the EIP-4361 message the wallet signs; the database keeps only its SHA-256. */
  @MessagePattern(IssueSiweNonceRpc.pattern)
  async issue(
    @Payload(new RpcRequestPipe(IssueSiweNonceRpc)) request: RpcParsedRequestOf<typeof IssueSiweNonceRpc>,
  ): Promise<RpcReplyOf<typeof IssueSiweNonceRpc>> {
    const issued = await this.nonces.issue(request);
    return { nonce: issued.nonce, expiresAt: issued.expiresAt.toISOString() };
  }
}
