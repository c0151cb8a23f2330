import net from 'node:net';

export interface FrontDoor {
  url: string;
  close(): Promise<void>;
}

/**
 * One port in front of several API instances: each TCP connection goes to the next instance in
 * turn and is piped both ways, so HTTP, keep-alive and WebSocket all work unchanged (a connection
 * stays on its instance, as behind any layer-4 balancer). This is what nginx does in
 * docker-compose.yml; for local processes a few lines of `net` replace a proxy to install.
 */
export function frontDoor(targets: URL[], port: number, host = '127.0.0.1'): Promise<FrontDoor> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = targets[next++ % targets.length];
    // The instances log "localhost", and they listen on IPv4.
    const upstream = net.connect(Number(target.port), target.hostname === 'localhost' ? '127.0.0.1' : target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    // An instance that went away closes its clients' connections; the next ones go elsewhere.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as net.AddressInfo;
      resolve({
        url: `http://${host}:${bound}`,
        close: () => new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}
