import { Module } from '@nestjs/common';
import { QueueBoard } from './queue-board';

/** The queue board on the support listener (issue 10). */
@Module({ providers: [QueueBoard] })
export class QueuesModule {}
