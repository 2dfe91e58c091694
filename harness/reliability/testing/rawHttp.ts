import { Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RawRequest {
  method: string;
  /** Sent as it is: no normalising of dots, slashes or percent signs (fetch would). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * HTTP exactly as a hostile or broken client sends it, over kept-alive connections: the method, path,
 * headers and body are not cleaned up on the way, so the server sees what the fuzzer generated.
 */
export class RawHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly baseUrl: string) {}

  send(raw: RawRequest): Promise<RawResponse> {
    const url = new URL(this.baseUrl);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: url.hostname,
          port: url.port,
          method: raw.method,
          path: raw.path,
          headers: this.framed(raw),
          agent: this.agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      if (raw.body !== undefined) outgoing.end(raw.body);
      else outgoing.end();
    });
  }

  /**
   * A body goes with its length: Node sends a GET's body with neither length nor chunking, which the
   * server can only read as the start of the next request (the fuzzer found that; see adminFuzz).
   */
  private framed(raw: RawRequest): Record<string, string> {
    const headers = { ...(raw.headers ?? {}) };
    if (raw.body !== undefined) headers['content-length'] = String(Buffer.byteLength(raw.body));
    return headers;
  }

  close(): void {
    this.agent.destroy();
  }
}
