import {
  ServerInterceptingCall,
  status,
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { Call, certificateSubject } from '../../application/call/call';
import type { Verdict } from '../../application/call/refusal';
import type { OperationTable } from '../../application/operations';
import type { PolicyPipeline } from '../../application/pipeline';
import { grpcRefusal } from './grpc-status';

/** The Call of each admitted gRPC call, by the metadata grpc-js hands on to the handler. */
const CALLS = new WeakMap<Metadata, Call>();

/** The Call the adapter admitted a handler's call with (its principal), else undefined (no policies). */
export function callOfMetadata(metadata: Metadata): Call | undefined {
  return CALLS.get(metadata);
}

/** The outcome of the metadata stage: true once admitted, false once refused. */
type Admitted = boolean | Promise<boolean>;

/**
 * The gRPC adapter of the policy pipeline, the one interceptor between grpc-js and the policies:
 * maps the method to its operation (a registered method without a row is refused UNIMPLEMENTED,
 * as grpc-js refuses unregistered ones), builds the Call when the metadata arrives, runs the
 * pipeline, and checks the key when the request message arrives. grpc-js may hand the message
 * over while an admission is still pending (it only holds back forwarding it), so the message
 * waits for the outcome.
 */
export function grpcCallAdapter(table: OperationTable, pipeline: PolicyPipeline): ServerInterceptor {
  return (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    const operation = table.byGrpcPath(method.path);
    if (operation === undefined) {
      return new ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: () =>
              call.sendStatus({
                code: status.UNIMPLEMENTED,
                details: `The server does not implement the method ${method.path}`,
              }),
          }),
      });
    }
    if (pipeline.policies.length === 0) return new ServerInterceptingCall(call);
    let described: Call | undefined;
    let admitted: Admitted = false;
    const settle = (verdict: Verdict): boolean => {
      if (verdict === undefined) return true;
      call.sendStatus(grpcRefusal(verdict));
      return false;
    };
    const fail = (): false => {
      call.sendStatus({ code: status.INTERNAL, details: 'internal error' });
      return false;
    };
    /** Runs `then` once admitted, synchronously when the admission already is. */
    const whenAdmitted = (then: () => void): void => {
      if (admitted instanceof Promise) admitted.then((ok) => ok && then(), fail);
      else if (admitted) then();
    };
    const keyField = operation.key?.grpcField;
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata: Metadata, passOn) => {
            const [authorization] = metadata.get('authorization');
            const deadline = call.getDeadline();
            described = new Call({
              transport: 'grpc',
              operation,
              authorization: typeof authorization === 'string' ? authorization : undefined,
              peer: () => grpcPeer(call),
              deadline: deadline instanceof Date ? deadline.getTime() : deadline,
            });
            const verdict = pipeline.admit(described);
            admitted = verdict instanceof Promise ? verdict.then(settle, fail) : settle(verdict);
            whenAdmitted(() => {
              CALLS.set(metadata, described!);
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
          onCancel: () => described?.end(),
        }),
      sendStatus: (outcome, passOn) => {
        described?.end();
        passOn(outcome);
      },
    });
  };
}

/** The caller when no token names one: the verified client certificate's subject, else the remote address. */
function grpcPeer(call: ServerInterceptingCallInterface): string {
  const name = certificateSubject(call.getAuthContext().sslPeerCertificate?.subject);
  if (name !== undefined) return `cert:${name}`;
  return `addr:${call.getConnectionInfo().remoteAddress ?? 'unknown'}`;
}
