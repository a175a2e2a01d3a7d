import type { Operation } from './operation';
import { OPERATIONS } from './operation-table';

/** A REST path of the table, with the operations its methods lead to (in row order). */
export interface RestPath {
  readonly path: string;
  readonly operations: ReadonlyMap<string, Operation>;
}

/** What a REST request resolved to: its operation and, when the operation has one, its decoded key. */
export interface RestResolution {
  readonly operation: Operation;
  /** The key from the path; undefined when the operation has none or its percent-encoding is broken. */
  readonly key?: string;
}

interface CompiledPath extends RestPath {
  readonly pattern: RegExp;
  /** The route parameters, in the order of the pattern's groups. */
  readonly params: readonly string[];
}

/**
 * The operation table indexed for the transports: by gRPC method path and by REST method and
 * path. Built once at start-up; the lookups allocate nothing on a miss and one object on a REST
 * hit. Refuses a table where two rows claim the same name, gRPC method or REST method and path.
 */
export class OperationTable {
  private readonly grpc = new Map<string, Operation>();
  private readonly paths: CompiledPath[] = [];
  private readonly routes = new Map<string, Operation>();

  constructor(readonly rows: readonly Operation[] = OPERATIONS) {
    const names = new Set<string>();
    for (const row of rows) {
      if (names.has(row.name)) throw new Error(`operation table: two rows named ${row.name}`);
      names.add(row.name);
      if (row.grpc) {
        if (this.grpc.has(row.grpc.path)) throw new Error(`operation table: two rows for ${row.grpc.path}`);
        this.grpc.set(row.grpc.path, row);
      }
      if (row.rest) this.addRest(row);
    }
  }

  /** The operation of a gRPC method path ('/Service/Method'), or undefined: not an operation. */
  byGrpcPath(path: string): Operation | undefined {
    return this.grpc.get(path);
  }

  /** The operation of a REST request (`path` without the query string), or undefined: not an operation. */
  byRest(method: string, path: string): RestResolution | undefined {
    for (const compiled of this.paths) {
      const match = compiled.pattern.exec(path);
      if (match === null) continue;
      const operation = compiled.operations.get(method);
      if (operation === undefined) return undefined;
      const param = operation.key?.restParam;
      if (param === undefined) return { operation };
      return { operation, key: decode(match[compiled.params.indexOf(param) + 1]) };
    }
    return undefined;
  }

  /** The operation of a matched express route: its method and route template ('/v1/key/:key'). */
  byRestRoute(method: string, routePath: string): Operation | undefined {
    return this.routes.get(`${method} ${routePath}`);
  }

  /** The REST paths of the table, each with its methods' operations, in row order. */
  restPaths(): readonly RestPath[] {
    return this.paths;
  }

  /** The operations of one kind. */
  ofKind(kind: Operation['kind']): Operation[] {
    return this.rows.filter((row) => row.kind === kind);
  }

  private addRest(row: Operation): void {
    const { path, methods } = row.rest!;
    let compiled = this.paths.find((entry) => entry.path === path);
    if (compiled === undefined) {
      compiled = { path, operations: new Map(), ...compile(path, row.kind === 'probe') };
      this.paths.push(compiled);
    }
    const operations = compiled.operations as Map<string, Operation>;
    for (const method of methods) {
      if (operations.has(method)) throw new Error(`operation table: two rows for ${method} ${path}`);
      operations.set(method, row);
      this.routes.set(`${method} ${path}`, row);
    }
  }
}

/**
 * The pattern of an express route template with `:name` segments (one path segment each), matched
 * as the REST frontend's router does: case-sensitive and strict; probes in any case, with an
 * optional trailing slash, as their router matches them.
 */
function compile(path: string, lenient: boolean): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { pattern: lenient ? new RegExp(`^${source}/?$`, 'i') : new RegExp(`^${source}$`), params };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
