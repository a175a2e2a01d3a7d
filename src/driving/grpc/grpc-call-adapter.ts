import {
  Metadata,
  ServerInterceptingCall,
  status,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { Call, certificateSubject } from '../../application/call/call';
import type { Verdict } from '../../application/call/refusal';
import { REQUEST_ID_HEADER } from '../../application/call/request-id';
import { UNROUTED, type OperationTable } from '../../application/operations';
import type { PolicyPipeline } from '../../application/pipeline';
import { grpcRefusal, isServerFault } from './grpc-status';
import { MAX_METADATA_BYTES, metadataBytes, metadataSizeLimit, oversizedMetadata } from './metadata-size-limit';

/** A status as a server interceptor sends it (grpc-js does not export the type by name). */
type PartialStatusObject = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];

/**
 * Where an admitted call's Call rides to its handler: a symbol-keyed property of the Metadata
 * object grpc-js hands on (the handler's `call.metadata`), invisible to anything that lists the
 * metadata. Not a WeakMap keyed by it: a WeakMap entry per call cost about 1.5 µs of set and
 * ephemeron GC in a micro-benchmark, a measurable share of a Get.
 */
const CALL = Symbol('kvs.call');
type CarryingMetadata = Metadata & { [CALL]?: Call };

/** The Call the adapter admitted a handler's call with (its principal), else undefined (no policies). */
export function callOfMetadata(metadata: Metadata): Call | undefined {
  return (metadata as CarryingMetadata)[CALL];
}

/** The outcome of the metadata stage: true once admitted, false once refused. */
type Admitted = boolean | Promise<boolean>;

/**
 * The gRPC adapter of the policy pipeline, the one interceptor between grpc-js and the policies:
 * maps the method to its operation (a registered method without a row is observed as `UNROUTED`
 * and refused UNIMPLEMENTED, as grpc-js refuses unregistered ones), builds the Call when the
 * metadata arrives, lets the observers see it, refuses oversized metadata, runs the policies, and checks the key when the
 * request message arrives; the call ends with its status (a stream's, too) or its cancellation.
 * grpc-js may hand the message over while an admission is still pending (it only holds back
 * forwarding it), so the message waits for the outcome.
 */
export function grpcCallAdapter(table: OperationTable, pipeline: PolicyPipeline): ServerInterceptor {
  return (method: ServerMethodDefinition<unknown, unknown>, next: ServerInterceptingCallInterface) => {
    const row = table.byGrpcPath(method.path);
    if (row !== undefined && pipeline.isEmpty) return metadataSizeLimit()(method, next);
    const operation = row ?? UNROUTED;
    let described: Call | undefined;
    let admitted: Admitted = false;
    /** Sends the status on (the request id in its trailers, when one was made) and ends the call. */
    const finish = (outcome: PartialStatusObject, passOn: (outcome: PartialStatusObject) => void): void => {
      let sent = outcome;
      if (described?.hasRequestId) {
        const metadata = outcome.metadata ?? new Metadata();
        metadata.set(REQUEST_ID_HEADER, described.requestId);
        sent = { ...outcome, metadata };
      }
      described?.end({
        status: status[outcome.code] ?? String(outcome.code),
        serverFault: isServerFault(outcome.code),
        answered: true,
      });
      passOn(sent);
    };
    // Refusals go to the next call directly: this call's own sendStatus would wait for the
    // metadata a refused call never passes on.
    const refuse = (outcome: PartialStatusObject): false => {
      finish(outcome, (sent) => next.sendStatus(sent));
      return false;
    };
    const settle = (verdict: Verdict): boolean => verdict === undefined || refuse(grpcRefusal(verdict));
    const fail = (): false => refuse({ code: status.INTERNAL, details: 'internal error' });
    /** Runs `then` once admitted, synchronously when the admission already is. */
    const whenAdmitted = (then: () => void): void => {
      if (admitted instanceof Promise) admitted.then((ok) => ok && then(), fail);
      else if (admitted) then();
    };
    const keyField = operation.key?.grpcField;
    return new ServerInterceptingCall(next, {
      start: (listen) =>
        listen({
          onReceiveMetadata: (metadata: Metadata, passOn) => {
            const [authorization] = metadata.get('authorization');
            const deadline = next.getDeadline();
            described = new Call({
              transport: 'grpc',
              operation,
              authorization: typeof authorization === 'string' ? authorization : undefined,
              peer: () => grpcPeer(next),
              deadline: deadline instanceof Date ? deadline.getTime() : deadline,
              method: method.path.slice(method.path.lastIndexOf('/') + 1),
              route: method.path,
              suppliedRequestId: metadata.get(REQUEST_ID_HEADER)[0],
            });
            pipeline.observe(described);
            if (row === undefined) {
              refuse({
                code: status.UNIMPLEMENTED,
                details: `The server does not implement the method ${method.path}`,
              });
              return;
            }
            if (metadataBytes(metadata) > MAX_METADATA_BYTES) {
              refuse(oversizedMetadata(MAX_METADATA_BYTES));
              return;
            }
            const verdict = pipeline.admit(described);
            admitted = verdict instanceof Promise ? verdict.then(settle, fail) : settle(verdict);
            whenAdmitted(() => {
              (metadata as CarryingMetadata)[CALL] = described;
              passOn(metadata);
            });
          },
          onReceiveMessage: (message: unknown, passOn) => {
            whenAdmitted(() => {
              if (keyField !== undefined && described !== undefined && !described.keyKnown) {
                const key = (message as Record<string, unknown> | null)?.[keyField];
                described.knowKey(typeof key === 'string' ? key : undefined);
                if (!settle(pipeline.checkKey(described))) return;
              }
              passOn(message);
            });
          },
          onCancel: () => described?.end({ status: status[status.CANCELLED], serverFault: false, answered: false }),
        }),
      sendStatus: finish,
    });
  };
}

/** The caller when no token names one: the verified client certificate's subject, else the remote address. */
function grpcPeer(call: ServerInterceptingCallInterface): string {
  const name = certificateSubject(call.getAuthContext().sslPeerCertificate?.subject);
  if (name !== undefined) return `cert:${name}`;
  return `addr:${call.getConnectionInfo().remoteAddress ?? 'unknown'}`;
}
