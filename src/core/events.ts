/** A change the store asks the transaction log to make durable. */
export type Mutation =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string };

/**
 * One record of the transaction log: a mutation plus the sequence number the log gave it.
 * Sequence numbers strictly increase along the log but need not be contiguous, so that a
 * compacted snapshot (which keeps only the live keys' records) is still a valid log prefix.
 */
export type Event = Mutation & { readonly sequence: number };
