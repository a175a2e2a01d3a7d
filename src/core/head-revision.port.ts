/**
 * The driven port a linearizable read asks: the newest revision of the history the store
 * follows, confirmed with where that history lives (a replica on a shared log asks the
 * database). A store that is the only writer of its log is its own head: see {@link ownHead}.
 */
export interface HeadRevision {
  /** The head revision now; rejects (LogUnavailableError) when it cannot be confirmed. */
  confirm(): Promise<number>;
}

/** The head of a store that is the only writer of its history: its own revision. */
export function ownHead(store: { readonly revision: number }): HeadRevision {
  return { confirm: () => Promise.resolve(store.revision) };
}
