import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from './address-guard';

export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  /** Null on a 2xx answer. */
  error: string | null;
}

/** The most of a receiver's answer read (and thrown away): a receiver cannot make us buffer more. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs `body` to `url` once, within `timeoutMs`, through the SSRF guard at connect time. Never
 * throws: every outcome is a result (a 2xx, another status, or no answer with the reason).
 */
export function postJson(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal }): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: SendResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      done({ statusCode: null, latencyMs: 0, error: 'not a URL' });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'aimass-webhooks', ...headers },
      lookup: guardedLookup(options.allowPrivate),
      timeout: options.timeoutMs,
      signal: options.signal,
    }, (response) => {
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) response.destroy();
      });
      const status = response.statusCode ?? null;
      const finish = () => done({ statusCode: status, latencyMs: elapsed(), error: status !== null && status >= 200 && status < 300 ? null : `HTTP ${status}` });
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
    });
    // One deadline for the whole exchange: connect, send, and the answer.
    const deadline = setTimeout(() => {
      request.destroy();
      done({ statusCode: null, latencyMs: elapsed(), error: `timeout after ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    deadline.unref();
    request.on('timeout', () => request.destroy(new Error(`timeout after ${options.timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => done({ statusCode: null, latencyMs: elapsed(), error: error.message || error.code || 'request failed' }));
    request.on('close', () => clearTimeout(deadline));
    request.end(body);
  });
}
