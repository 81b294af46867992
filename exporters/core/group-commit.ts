/**
 * Group commit: every caller that asks in the same turn of the event loop
 * waits for one store transaction. Requests stay durable before they are
 * answered, but a burst of them costs one commit, not one each.
 */
export class GroupCommit {
  private pending: Promise<void> | undefined;

  constructor(private readonly flush: () => Promise<void>) {}

  /** Resolves once everything changed before the call is committed. */
  request(): Promise<void> {
    this.pending ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      // Changes made while this flush runs belong to the next batch.
      this.pending = undefined;
      return this.flush();
    });
    return this.pending;
  }
}
