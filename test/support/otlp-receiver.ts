import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/JSON encodes it (ids in hex), with the fields the tests read. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes?: { key: string; value: Record<string, unknown> }[];
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: Record<string, unknown> }[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

/** A minimal OTLP/HTTP trace receiver (http/json) on a loopback port, keeping what it is sent. */
export class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  /** The raw bodies received, to check what was never sent. */
  readonly bodies: string[] = [];
  readonly serviceNames = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const holder: { receiver?: OtlpReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces')
          holder.receiver?.accept(Buffer.concat(chunks).toString());
        res.setHeader('Content-Type', 'application/json');
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    return holder.receiver;
  }

  /** Resolves with the spans of `traceId` once `wanted` holds for them. */
  async trace(traceId: string, wanted: (spans: OtlpSpan[]) => boolean): Promise<OtlpSpan[]> {
    for (;;) {
      const spans = this.spans.filter((span) => span.traceId === traceId);
      if (wanted(spans)) return spans;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(body: string): void {
    this.bodies.push(body);
    const request = JSON.parse(body) as ExportRequest;
    for (const resourceSpans of request.resourceSpans ?? []) {
      const name = resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'service.name');
      if (name) this.serviceNames.add(String(name.value.stringValue));
      for (const scope of resourceSpans.scopeSpans ?? []) this.spans.push(...(scope.spans ?? []));
    }
  }
}

/** A span attribute's value, whatever its OTLP type. */
export function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes?.find((each) => each.key === key)?.value;
  return value && Object.values(value)[0];
}
