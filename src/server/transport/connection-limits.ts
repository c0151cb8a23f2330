import type http from 'node:http';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';

/** The shortest gap between two "connections refused" warnings, so a flood writes one line a minute. */
const DROP_WARNING_MS = 60_000;

/**
 * How long idle keep-alive connections live, and how many connections there may be.
 *
 * Why a long keep-alive: a request sent on a connection the server is closing fails at the client
 * ("other side closed", `fetch failed`), and a client cannot safely retry a POST. Node's default
 * (5 s advertised, closed after 6 s) loses that race whenever a client keeps idle connections
 * longer (a load balancer: 60 s on AWS ALB and nginx), and even with undici (Node's fetch), which
 * stops reusing a connection 2 s before the advertised timeout, when an event loop stalls for the
 * remaining 3 s on a busy machine: then any pause of 3 to 6 s between two requests can meet it.
 * Above the proxies' idle timeouts, they close idle connections, not the server; and a pause
 * has to be over a minute long to come near the server's.
 *
 * Why a bound: each open connection costs a file descriptor, and idle ones now live 11 times
 * longer (66 s, not 6 s). Node closes connections past `maxConnections` as they are accepted (it
 * cannot answer them without reading them), which beats running out of descriptors for the
 * database and the training children. `headersTimeout` (60 s) and `requestTimeout` (300 s) stay
 * Node's: since Node 18 they time a request from its first byte, so they do not cut idle
 * keep-alive connections (checked on Node 20: a 2 s headersTimeout left a 5 s idle one open).
 */
export function applyConnectionLimits(server: http.Server, config: Pick<Config, 'keepAliveTimeoutMs' | 'maxConnections'>, log: Logger): void {
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.maxConnections = config.maxConnections;
  let dropped = 0;
  let warnedAt = -Infinity;
  // 'drop' (Node 18.6+): a connection closed because maxConnections were open.
  server.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - warnedAt < DROP_WARNING_MS) return;
    warnedAt = now;
    log.warn({ dropped, maxConnections: config.maxConnections }, 'MAX_CONNECTIONS reached: new connections are closed as they arrive');
  });
}
