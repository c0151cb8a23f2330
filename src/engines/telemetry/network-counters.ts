import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Bytes in and out of the API's port and the connections open on it, HTTP and WebSocket. The
 * transports attach it to their servers; the health sampler reads it. Bytes of a connection are
 * counted as they flow (read at sampling time from open sockets, kept at close for the rest).
 */
export class NetworkCounters {
  private readonly open = new Set<Socket>();
  private closedIn = 0;
  private closedOut = 0;
  webSocketConnections = 0;

  /** Follows every connection of an HTTP server (WebSocket upgrades included: they start as HTTP). */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        this.closedIn += socket.bytesRead;
        this.closedOut += socket.bytesWritten;
      });
    });
  }

  /** Counts a WebSocket for as long as it is open. */
  trackWebSocket(socket: { once(event: 'close', listener: () => void): unknown }): void {
    this.webSocketConnections++;
    socket.once('close', () => { this.webSocketConnections--; });
  }

  /** Bytes received and sent since start, and connections open now. */
  read(): { bytesIn: number; bytesOut: number; connections: number; webSocketConnections: number } {
    let bytesIn = this.closedIn;
    let bytesOut = this.closedOut;
    for (const socket of this.open) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return { bytesIn, bytesOut, connections: this.open.size, webSocketConnections: this.webSocketConnections };
  }
}
