import type { PipeTransform } from '@nestjs/common';
import type { AnyRpcContract, RpcParsedRequestOf } from '@plue/contracts';
import { parseInput } from '@plue/db';

/**
 * Checks a request against its contract before the handler runs: `@Payload(new RpcRequestPipe(X))`.
 * A bad request fails with `validation_failed` naming each field, so nothing is written.
 */
export class RpcRequestPipe<Contract extends AnyRpcContract> implements PipeTransform<
  unknown,
  RpcParsedRequestOf<Contract>
> {
  constructor(private readonly contract: Contract) {}

  transform(value: unknown): RpcParsedRequestOf<Contract> {
    return parseInput(this.contract.request, value) as RpcParsedRequestOf<Contract>;
  }
}
