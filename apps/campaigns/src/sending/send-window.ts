import { Injectable } from '@nestjs/common';
import { Slots } from './slots';

/**
 * Messages one process may have claimed in the ledger without a durable outcome, over all its batch jobs and regions.
 * This is what a crash can leave `unknown` (R-S6): a slot is taken before the claiming statement is sent and given
 * back only once the message's outcome is committed (or nothing was claimed for it), so every `sending` row a dead
 * process leaves behind held one of these slots. Sized to keep the SMTP pool's connections busy while the others
 * wait for their claim, their relay's reply or their record (a few tens of ms each); measured in
 * docs/benchmarks.md (campaign-send). A claimed message is not gated yet: the gate runs when an SMTP connection is
 * about to be free for it (SmtpSender.turn).
 */
export const SEND_WINDOW = 120;

/** The process's SEND_WINDOW slots. */
@Injectable()
export class SendWindow extends Slots {
  constructor() {
    super(SEND_WINDOW);
  }
}
