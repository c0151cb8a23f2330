import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real receiver on 127.0.0.1: records every request, answers with the next scripted status (200 when the script is empty). */
export class Receiver {
  readonly requests: { headers: http.IncomingHttpHeaders; body: string; at: number }[] = [];
  script: number[] = [];
  /** Paths that never answer (a hung receiver). */
  readonly hang = new Set<string>();
  private server!: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body, at: Date.now() });
        if (this.hang.has(req.url ?? '')) return;
        res.writeHead(this.script.shift() ?? 200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  of(event: string, path?: string) {
    return this.requests.filter((r) => r.headers['aimass-event'] === event && (!path || r.headers.host !== undefined)).map((r) => ({ ...r, json: JSON.parse(r.body) }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

