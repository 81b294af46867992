/**
 * A REPEAT_STATES source: the default sub stream of one stream, its whole
 * state set resent every repeat interval with `expiry` (no expiry interval:
 * without a sub stream the agent disables expiry).
 */
import { CheckSet } from './checks.js';
import { commonObject, statesItem } from './format.js';
import { Sender, sendInOrder, type SenderContext } from './sender.js';

export class StatesSource extends Sender {
  readonly checks: CheckSet;

  constructor(
    readonly urn: string,
    checkStates: number,
    ctx: SenderContext,
  ) {
    const name = urn.split(':').at(-1)!;
    super(urn, ctx, ctx.sendMs);
    this.checks = new CheckSet(name, `urn:cluster:/${name}`, checkStates);
  }

  protected async cycle(): Promise<void> {
    this.checks.churn(this.ctx.healthChangeShare);
    const items = this.checks.chunks(this.ctx.perMessage).map((chunk) => statesItem({ urn: this.urn }, { repeat_interval_s: this.ctx.repeatS }, chunk));
    await sendInOrder(this.ctx, [commonObject(`${this.urn.split(':').at(-1)}-health`, items)]);
  }
}
