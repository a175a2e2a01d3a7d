import { ServerInterceptingCall, status, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';

/**
 * Largest request metadata accepted, counted as HPACK does (RFC 7541 §4.1: name + value + 32 per
 * entry). 16 KiB is gRPC core's hard default (`grpc.absolute_max_metadata_size`); a bearer token
 * and the usual headers take a few hundred bytes.
 */
export const MAX_METADATA_BYTES = 16 * 1024;
const ENTRY_OVERHEAD_BYTES = 32;

/** The refusal of a call whose metadata exceeds `maxBytes`. */
export function oversizedMetadata(maxBytes: number): { code: status; details: string } {
  return { code: status.RESOURCE_EXHAUSTED, details: `request metadata exceeds ${maxBytes} bytes` };
}

/**
 * Refuses a call whose metadata exceeds `maxBytes` with RESOURCE_EXHAUSTED at once: the check
 * of the call adapter's fast path, where no observer or policy runs (the adapter makes the same
 * check itself otherwise, after the observers have seen the call, so the refusal is logged and
 * counted). Hand-rolled because grpc-js enforces no receive limit of its own (no
 * `grpc.max_metadata_size` on its server, grpc/grpc-node#1533 and #2050): without this a client
 * could make every policy and log line work on megabytes of headers.
 */
export function metadataSizeLimit(maxBytes = MAX_METADATA_BYTES): ServerInterceptor {
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, forward) => {
            if (metadataBytes(metadata) <= maxBytes) forward(metadata);
            else call.sendStatus(oversizedMetadata(maxBytes));
          },
        }),
    });
}

/** The metadata's size as HPACK counts it. */
export function metadataBytes(metadata: Metadata): number {
  let total = 0;
  for (const [name, values] of Object.entries(metadata.toJSON())) {
    for (const value of values) {
      const length = typeof value === 'string' ? value.length : Math.ceil(value.length / 3) * 4;
      total += name.length + length + ENTRY_OVERHEAD_BYTES;
    }
  }
  return total;
}
