import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { RepositoryCreated, type EventPayload } from '@plue/contracts';
import { LabelsDao } from '@plue/collaboration';
import { JetStreamContext } from '@plue/messaging';

@Controller()
export class RepositoriesHandler {
  constructor(private readonly labels: LabelsDao) {}

  /**
   * DESIGN §4 flow 1: a new repository gets the default labels, in the inbox transaction. The inbox
   * drops a redelivered event, and `createDefaults` skips labels that exist, so a replay adds none.
   */
  @EventPattern<string>(RepositoryCreated.subject)
  async onRepositoryCreated(
    @Payload() event: EventPayload<'plue.git.repository.created'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    await this.labels.createDefaults(event.repoId, context.tx);
  }
}
