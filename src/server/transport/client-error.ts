import type http from 'node:http';
import type { Duplex } from 'node:stream';

/** Node's codes for requests its HTTP parser refuses, and the answer each deserves. */
const REFUSALS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'PAYLOAD_TOO_LARGE', message: 'The request line and headers are over the server\'s limit (16 KB): send the operation in a POST body' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'BAD_REQUEST', message: 'The request did not arrive in time' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'BAD_REQUEST', message: 'The request is not valid HTTP' };

/**
 * Answers a request that Node's HTTP parser refused before any route saw it (a URL or headers
 * over 16 KB, bytes that are not HTTP) as every other refusal is answered: a JSON GraphQL error
 * with an extensions.code. Node's default is a bare status line with no body, which a GraphQL
 * client cannot read (a long GET query string got `431` and nothing else).
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    // Nothing can be written once the socket is gone or a response has begun on it.
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const refusal = REFUSALS[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
    socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
}
