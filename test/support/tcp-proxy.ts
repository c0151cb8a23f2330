import net from 'node:net';

/**
 * A TCP proxy in front of a server (MariaDB, Redis) that a test can cut and restore, the way
 * Toxiproxy does: cutting resets every open connection and refuses new ones (the port stays
 * bound, so clients see ECONNREFUSED-like resets at once, as when the server process is gone);
 * restoring lets connections through again. The shared server behind it is never touched.
 */
export interface TcpProxy {
  /** host:port clients connect to. */
  readonly port: number;
  readonly host: string;
  cut(): void;
  restore(): void;
  /** Connections currently forwarded. */
  readonly open: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let cut = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const server = net.createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    host: '127.0.0.1',
    get open() { return pairs.size; },
    cut() {
      cut = true;
      for (const { client, upstream } of [...pairs]) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore() { cut = false; },
    close() {
      this.cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` (mysql://… or redis://…) pointing at the proxy instead of its server. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = proxy.host;
  parsed.port = String(proxy.port);
  return parsed.toString();
}
