import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ConnectionInitMessage, type ServerOptions } from 'graphql-ws';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../core/logger';

/** What every socket's context carries. */
export interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /** Size of the message being handled, in bytes (rate limits charge by size). */
  messageBytes?: number;
}

/**
 * Bytes a socket may have queued in this process (beyond what the kernel took) and still be sent
 * to without waiting for the write: under it, a send returns at once (no callback, no promise per
 * message); over it, graphql-ws waits for the write, so a slow reader's events pile up in its
 * bounded stream, which cuts it off, rather than in the socket's buffer. Small, because it is per
 * socket: ten thousand sockets may each hold this much.
 */
const SEND_HIGH_WATER_BYTES = 4 * 1024;

/** WebSocket close code 1009, as ws uses for frames over maxPayload. */
const MESSAGE_TOO_BIG = 1009;

/**
 * graphql-ws throws, rather than closing with 4400 as its PROTOCOL.md asks, when a client sends a
 * message type only a server sends (`next`, `error`, `connection_ack`): that is the client's
 * mistake, not a 4500 and an error log line (found by the reliability fuzzer).
 */
const isUnexpectedType = (error: unknown): boolean => error instanceof Error && /^Unexpected message of type \S+ received$/.test(error.message);

const sizeOf = (data: RawData): number => (Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length);

/**
 * graphql-ws's protocol core (`makeServer`) on a `ws` server: graphql-ws's own `use/ws` adapter,
 * rewritten for two reasons. It reports socket errors with console.error (a stack trace on
 * stdout, where every other line is JSON), and it offers no way to close the sockets of one API
 * key, which revocation needs. Everything else follows `use/ws`: protocol negotiation, keep-alive
 * pings, closing with 1011 on an internal error, and 1001 on dispose.
 */
export function serveGraphqlWs<P extends ConnectionInitMessage['payload'], E extends SocketExtra>(
  options: ServerOptions<P, E>,
  wsServer: WebSocketServer,
  log: Logger,
  extraFor: (socket: WebSocket, request: IncomingMessage) => E,
  /** The largest message this socket may send now (by its key's role); larger ones close it with 1009 unread. */
  maxMessageBytes: (extra: E) => number,
  keepAliveMs = 12_000,
) {
  const server = makeServer(options);
  wsServer.options.handleProtocols = handleProtocols;
  wsServer.on('error', (error) => {
    log.error({ err: error }, 'WebSocket server error');
    for (const client of wsServer.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });
  wsServer.on('connection', (socket, request) => {
    // A client's mistake (a frame over the size limit, a bad frame): ws closes the socket itself
    // with the right code (1009, 1002); this only reports it, as one JSON line.
    socket.once('error', (error: Error & { code?: string }) => {
      log.warn({ error: { message: error.message, code: error.code }, clientAddress: request.socket.remoteAddress }, 'WebSocket closed on a client error');
    });
    let pongWait: NodeJS.Timeout | null = null;
    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, keepAliveMs);
    const extra = extraFor(socket, request);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          if (socket.readyState !== socket.OPEN) return;
          if (socket.bufferedAmount < SEND_HIGH_WATER_BYTES) return socket.send(data);
          return new Promise<void>((resolve, reject) => socket.send(data, (error) => (error ? reject(error) : resolve())));
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) => socket.on('message', async (data) => {
          extra.messageBytes = sizeOf(data);
          if (extra.messageBytes > maxMessageBytes(extra)) {
            // Before JSON.parse: a frame too large for this key costs no more than its read.
            socket.close(MESSAGE_TOO_BIG, 'Message too big for this key');
            return;
          }
          try {
            await handle(String(data));
          } catch (error) {
            if (isUnexpectedType(error)) {
              socket.close(CloseCode.BadRequest, (error as Error).message);
              return;
            }
            log.error({ err: error }, 'WebSocket message could not be handled');
            socket.close(CloseCode.InternalServerError, 'Internal server error');
          }
        }),
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(ping);
      void closed(code, String(reason));
    });
  });
  return {
    async dispose(): Promise<void> {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
