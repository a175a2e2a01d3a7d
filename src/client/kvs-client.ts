import * as grpc from '@grpc/grpc-js';
import type { GetResponse__Output } from '../api/generated/GetResponse';
import type { KeyValueClient } from '../api/generated/KeyValue';
import { knownErrorCode, KVS_ERROR_CODE_METADATA, type KvsErrorCode } from '../api/error-codes';
import { tlsChannel, type ClientTls } from './tls-channel';
import { loadKeyValuePackage } from '../api/keyvalue-proto';
import type { WatchRequest } from '../api/generated/WatchRequest';
import type { WatchResponse__Output } from '../api/generated/WatchResponse';
import type { CompactResponse__Output } from '../api/generated/CompactResponse';
import type { KvsAdminClient } from '../api/generated/KvsAdmin';
import { loadKvsAdminPackage } from '../api/kvs-admin-proto';
import type { SnapshotChunk__Output } from '../api/generated/SnapshotChunk';

/** Per-call options. */
export interface KvsCallOptions {
  /** Deadline for the call, in milliseconds from now; none when unset. */
  readonly timeoutMs?: number;
}

/** How the client reaches the server: plaintext by default, TLS or mTLS, with or without a token. */
export interface KvsConnectionOptions {
  /** A JWT sent as `authorization: Bearer <token>` metadata on every call. */
  readonly token?: string;
  /** Use TLS. `ca` trusts a private CA (default: the system's); `cert` + `key` present a client certificate (mTLS). */
  readonly tls?: ClientTls;
}

/** A failed call: the gRPC status, and the kvs error code when the server reported one. */
export class KvsClientError extends Error {
  constructor(
    /** The gRPC status code, e.g. grpc.status.NOT_FOUND. */
    readonly status: grpc.status,
    /** The status details sent by the server (or by grpc-js for transport failures). */
    readonly details: string,
    /** The server's kvs error code; undefined when the failure did not come from kvs itself. */
    readonly code: KvsErrorCode | undefined,
  ) {
    super(`${grpc.status[status]}: ${details}`);
    this.name = 'KvsClientError';
  }

  /** Wraps a grpc-js error, reading the kvs error code from its trailing metadata. */
  static from(error: grpc.ServiceError): KvsClientError {
    const [reported] = error.metadata?.get(KVS_ERROR_CODE_METADATA) ?? [];
    return new KvsClientError(error.code, error.details, knownErrorCode(reported));
  }
}

/** What a write's answer says beyond success. */
export interface WriteResult {
  /** The store's revision after the write, when the server reports revisions (older servers do not). */
  readonly revision?: string;
}

/** What a compaction did, as the server reports it (sizes in bytes). */
export interface CompactionSummary {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly liveBytes: number;
  readonly durationMs: number;
}

/**
 * The `revision` field of an answer, when it has a non-zero one. Read by name rather than from
 * the generated type so that this client shows revisions as soon as the contract carries them,
 * and shows none for servers that predate them (proto3 decodes an absent int64 as "0").
 */
export function revisionOf(response: object): WriteResult {
  const revision = (response as { revision?: unknown }).revision;
  // int64 arrives as a string (longs: String), a number or a Long, depending on the loader's options.
  const text = typeof revision === 'string' || typeof revision === 'number' ? String(revision) : '';
  return text === '' || text === '0' ? {} : { revision: text };
}

/** A typed, promise-based client of the KeyValue gRPC service (and of KvsAdmin), built on the generated stubs. */
export class KvsClient {
  private readonly stub: KeyValueClient;
  private readonly admin: KvsAdminClient;
  private readonly authorization?: string;

  constructor(
    /** host:port of the server. */
    address: string,
    private readonly defaults: KvsCallOptions = {},
    { token, tls }: KvsConnectionOptions = {},
  ) {
    const { KeyValue } = loadKeyValuePackage();
    const { credentials, options: tlsOptions } = tls
      ? tlsChannel(address, tls)
      : { credentials: grpc.credentials.createInsecure(), options: {} };
    // The server bounds every response by its value limit, so the client need not cap it again.
    const options = { ...tlsOptions, 'grpc.max_receive_message_length': -1 };
    this.stub = new KeyValue(address, credentials, options);
    // Sent as call metadata rather than as call credentials: grpc-js refuses to combine call
    // credentials with a plaintext channel, and a token over loopback plaintext is legitimate.
    this.authorization = token === undefined ? undefined : `Bearer ${token}`;
    // Same target, credentials and options: grpc-js lets both stubs share one connection.
    this.admin = new (loadKvsAdminPackage().KvsAdmin)(address, credentials, options);
  }

  /** The key's value; rejects with KvsClientError (status NOT_FOUND when the key has none). */
  async get(key: string, options?: KvsCallOptions): Promise<string> {
    const response = await this.unary<GetResponse__Output>(
      (metadata, callOptions, done) => this.stub.Get({ key }, metadata, callOptions, done),
      options,
    );
    return response.value;
  }

  /** Stores the value durably under the key; resolves with the write's revision when the server reports one. */
  async put(key: string, value: string, options?: KvsCallOptions): Promise<WriteResult> {
    const response = await this.unary<object>(
      (metadata, callOptions, done) => this.stub.Put({ key, value }, metadata, callOptions, done),
      options,
    );
    return revisionOf(response);
  }

  /** Removes the key durably; succeeds when it is already absent. */
  async delete(key: string, options?: KvsCallOptions): Promise<void> {
    await this.unary((metadata, callOptions, done) => this.stub.Delete({ key }, metadata, callOptions, done), options);
  }

  /** Asks the server to compact its transaction log now (KvsAdmin/Compact); resolves with what it did. */
  async compact(options?: KvsCallOptions): Promise<CompactionSummary> {
    const response = await this.unary<CompactResponse__Output>(
      (metadata, callOptions, done) => this.admin.Compact({}, metadata, callOptions, done),
      options,
    );
    return {
      bytesBefore: Number(response.bytes_before),
      bytesAfter: Number(response.bytes_after),
      liveBytes: Number(response.live_bytes),
      durationMs: Number(response.duration_ms),
    };
  }

  /**
   * Opens a watch stream (KeyValue/Watch): one WatchResponse per revision or heartbeat, until
   * the stream fails (a grpc-js ServiceError; KvsClientError.from reads its kvs code) or is
   * cancelled. No deadline: a watch lasts until one side ends it.
   */
  watch(request: WatchRequest): grpc.ClientReadableStream<WatchResponse__Output> {
    return this.stub.Watch(request, this.metadata());
  }

  /**
   * Opens a snapshot stream (KvsAdmin/Snapshot): pieces of the snapshot file, in order, at the
   * pace the reader takes them. No deadline: a snapshot takes as long as the store is big.
   */
  snapshot(): grpc.ClientReadableStream<SnapshotChunk__Output> {
    return this.admin.Snapshot({}, this.metadata());
  }

  /** Closes the channels; calls after this fail. */
  close(): void {
    this.stub.close();
    this.admin.close();
  }

  /** A call's metadata: the bearer token, when there is one. */
  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.authorization !== undefined) metadata.set('authorization', this.authorization);
    return metadata;
  }

  private unary<Response>(
    start: (metadata: grpc.Metadata, options: grpc.CallOptions, done: grpc.requestCallback<Response>) => void,
    options: KvsCallOptions = {},
  ): Promise<Response> {
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs;
    const callOptions: grpc.CallOptions = timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
    const metadata = this.metadata();
    return new Promise((resolve, reject) => {
      start(metadata, callOptions, (error, response) => {
        if (error) reject(KvsClientError.from(error));
        else resolve(response as Response);
      });
    });
  }
}
