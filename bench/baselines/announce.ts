/** Prints the ready line the harness waits for, in the same shape as the service's own. */
export function announceListening(protocol: 'rest' | 'grpc', host: string, port: number): void {
  console.log(`baseline: ${protocol} frontend listening on ${host}:${port}`);
}

/** Loopback, any free port: the harness reads the port from the ready line. */
export const BASELINE_HOST = '127.0.0.1';
