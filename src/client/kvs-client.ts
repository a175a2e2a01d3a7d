import * as grpc from '@grpc/grpc-js';
import type { GetResponse__Output } from '../api/generated/GetResponse';
import type { Entry__Output } from '../api/generated/Entry';
import type { RangeResponse__Output } from '../api/generated/RangeResponse';
import type { DeleteRangeResponse__Output } from '../api/generated/DeleteRangeResponse';
import type { DeleteResponse__Output } from '../api/generated/DeleteResponse';
import type { TxnRequest } from '../api/generated/TxnRequest';
import type { TxnResponse__Output } from '../api/generated/TxnResponse';
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

/** Trailing metadata of a failed precondition: the key's current mod_revision (0: absent). */
const MOD_REVISION_METADATA = 'kvs-mod-revision';

/** A failed call: the gRPC status, and the kvs error code when the server reported one. */
export class KvsClientError extends Error {
  constructor(
    /** The gRPC status code, e.g. grpc.status.NOT_FOUND. */
    readonly status: grpc.status,
    /** The status details sent by the server (or by grpc-js for transport failures). */
    readonly details: string,
    /** The server's kvs error code; undefined when the failure did not come from kvs itself. */
    readonly code: KvsErrorCode | undefined,
    /** For PRECONDITION_FAILED: the key's current mod_revision (0: absent), as the server reported it. */
    readonly currentModRevision?: number,
  ) {
    super(`${grpc.status[status]}: ${details}`);
    this.name = 'KvsClientError';
  }

  /** Wraps a grpc-js error, reading the kvs error code (and a current mod_revision) from its trailing metadata. */
  static from(error: grpc.ServiceError): KvsClientError {
    const [reported] = error.metadata?.get(KVS_ERROR_CODE_METADATA) ?? [];
    const [modRevision] = error.metadata?.get(MOD_REVISION_METADATA) ?? [];
    const current = typeof modRevision === 'string' && /^\d+$/.test(modRevision) ? Number(modRevision) : undefined;
    return new KvsClientError(error.code, error.details, knownErrorCode(reported), current);
  }
}

/** What a write's answer says beyond success. */
export interface WriteResult {
  /** The store's revision after the write, when the server reports revisions (older servers do not). */
  readonly revision?: string;
}

/** A write's condition: the key's current mod_revision must be `ifRevision` (0: the key must be absent), or the key must be live. */
export interface KvsWriteOptions extends KvsCallOptions {
  readonly ifRevision?: number;
  readonly ifExists?: boolean;
  /** Put only: the key expires this many ms after the write (PutRequest.ttl_ms). */
  readonly ttlMs?: number;
}

/** What a delete did: its revision (when the server reports one) and whether the key was live. */
export interface DeleteResult extends WriteResult {
  readonly deleted: boolean;
}

/** A key with its value and revisions. */
export interface KvsEntry {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  /** The key's deadline (Unix ms; a leased key's is its lease's), when it has one. */
  readonly expiresAt?: number;
  /** The lease the key is attached to, when it is. */
  readonly lease?: number;
}

/** A key's entry read by Get, with the store revision it was read at. */
export interface KvsRead extends KvsEntry {
  readonly revision: number;
}

/** Which keys a Range reads: a prefix ("" or missing: all keys) or a start/end range, and how much. */
export interface KvsRangeRequest {
  readonly prefix?: string;
  readonly start?: string;
  readonly end?: string;
  /** Resume after this key (the previous page's nextStartAfter). */
  readonly startAfter?: string;
  /** Entries per page, 1..1000 (the server's default: 100). */
  readonly limit?: number;
  readonly keysOnly?: boolean;
}

/** A page of a Range. */
export interface KvsRangePage {
  readonly entries: readonly KvsEntry[];
  readonly revision: number;
  readonly more: boolean;
  /** When more: pass as startAfter for the next page. */
  readonly nextStartAfter?: string;
}

/** Which keys a DeleteRange removes: a prefix, a start/end range, or all. */
export interface KvsDeleteRangeRequest {
  readonly prefix?: string;
  readonly start?: string;
  readonly end?: string;
  readonly all?: boolean;
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

/** A conditional write's fields: expected_mod_revision and require_exists. */
function conditionOf(options: KvsWriteOptions | undefined): {
  expected_mod_revision?: number;
  require_exists?: boolean;
} {
  return {
    ...(options?.ifRevision === undefined ? {} : { expected_mod_revision: options.ifRevision }),
    ...(options?.ifExists ? { require_exists: true } : {}),
  };
}

/** An entry off the wire, its int64 fields (strings) as numbers: revisions stay far below 2^53. */
function entryOf(entry: Omit<Entry__Output, 'value'> & { value: string }): KvsEntry {
  const expiresAt = Number(entry.expires_at_ms);
  // 0 (also what a server older than the field sends): no lease.
  const lease = Number(entry.lease);
  return {
    key: entry.key,
    value: entry.value,
    createRevision: Number(entry.create_revision),
    modRevision: Number(entry.mod_revision),
    version: Number(entry.version),
    ...(expiresAt > 0 ? { expiresAt } : {}),
    ...(lease > 0 ? { lease } : {}),
  };
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

  /** The key's value and revisions; rejects with KvsClientError (status NOT_FOUND when the key has none). */
  async getEntry(key: string, options?: KvsCallOptions): Promise<KvsRead> {
    const response = await this.unary<GetResponse__Output>(
      (metadata, callOptions, done) => this.stub.Get({ key }, metadata, callOptions, done),
      options,
    );
    return { ...entryOf({ key, ...response }), revision: Number(response.revision) };
  }

  /**
   * Stores the value durably under the key; resolves with the write's revision when the server
   * reports one. With a condition, rejects with FAILED_PRECONDITION (code PRECONDITION_FAILED,
   * `currentModRevision` set) when it does not hold.
   */
  async put(key: string, value: string, options?: KvsWriteOptions): Promise<WriteResult> {
    const response = await this.unary<object>(
      (metadata, callOptions, done) =>
        this.stub.Put(
          { key, value, ...conditionOf(options), ...(options?.ttlMs === undefined ? {} : { ttl_ms: options.ttlMs }) },
          metadata,
          callOptions,
          done,
        ),
      options,
    );
    return revisionOf(response);
  }

  /** Removes the key durably; succeeds when it is already absent (unless a condition says otherwise). */
  async delete(key: string, options?: KvsWriteOptions): Promise<DeleteResult> {
    const response = await this.unary<DeleteResponse__Output>(
      (metadata, callOptions, done) => this.stub.Delete({ key, ...conditionOf(options) }, metadata, callOptions, done),
      options,
    );
    return { ...revisionOf(response), deleted: response.deleted === true };
  }

  /** One page of the keys a prefix or range names, in UTF-8 byte order. */
  async range(request: KvsRangeRequest = {}, options?: KvsCallOptions): Promise<KvsRangePage> {
    const response = await this.unary<RangeResponse__Output>(
      (metadata, callOptions, done) =>
        this.stub.Range(
          {
            prefix: request.prefix,
            start: request.start,
            end: request.end,
            start_after: request.startAfter,
            limit: request.limit,
            keys_only: request.keysOnly,
          },
          metadata,
          callOptions,
          done,
        ),
      options,
    );
    return {
      entries: response.entries.map(entryOf),
      revision: Number(response.revision),
      more: response.more,
      nextStartAfter: response.more ? response.next_start_after : undefined,
    };
  }

  /** Every page of a range, one after the other (each page is read at its own revision). */
  async *rangePages(request: KvsRangeRequest = {}, options?: KvsCallOptions): AsyncGenerator<KvsRangePage> {
    let startAfter = request.startAfter;
    for (;;) {
      const page = await this.range({ ...request, startAfter }, options);
      yield page;
      if (!page.more) return;
      startAfter = page.nextStartAfter;
    }
  }

  /** Deletes every key a prefix or range names (or all of them) in one revision. */
  async deleteRange(
    request: KvsDeleteRangeRequest,
    options?: KvsCallOptions,
  ): Promise<{ revision: number; deleted: number }> {
    const response = await this.unary<DeleteRangeResponse__Output>(
      (metadata, callOptions, done) => this.stub.DeleteRange(request, metadata, callOptions, done),
      options,
    );
    return { revision: Number(response.revision), deleted: Number(response.deleted) };
  }

  /** Runs a transaction (see proto/keyvalue.proto, Txn); resolves with the server's answer. */
  txn(request: TxnRequest, options?: KvsCallOptions): Promise<TxnResponse__Output> {
    return this.unary<TxnResponse__Output>(
      (metadata, callOptions, done) => this.stub.Txn(request, metadata, callOptions, done),
      options,
    );
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
