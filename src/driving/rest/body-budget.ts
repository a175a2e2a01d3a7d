/**
 * The bytes of request bodies being received at once, over all connections, held under a cap:
 * without it, a few hundred clients each trickling a maximal body could hold gigabytes.
 */
export class BodyBudget {
  private inFlight = 0;

  constructor(private readonly capBytes: number) {}

  /** Takes `bytes` from the budget; false (taking nothing) if they do not fit. */
  tryTake(bytes: number): boolean {
    if (this.inFlight + bytes > this.capBytes) return false;
    this.inFlight += bytes;
    return true;
  }

  /** Gives back bytes taken earlier. */
  giveBack(bytes: number): void {
    this.inFlight -= bytes;
  }
}

/** The body budget is spent: the request was refused before its body was read. */
export class ServerBusyError extends Error {
  constructor() {
    super('too many request bodies are being received right now; retry later');
    this.name = 'ServerBusyError';
  }
}

/** The client went away before its request body was complete; there is nobody to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected before the request body was complete');
    this.name = 'ClientGoneError';
  }
}
