import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client for a test server; `authorization` goes into connectionParams. */
export function wsClient(url: string, authorization?: string): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: authorization ? { authorization } : {} });
}

/** Runs one query or mutation over the socket and resolves with its single result. */
export function wsRequest(client: Client, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }> {
  return new Promise((resolve, reject) => {
    let result: any;
    client.subscribe({ query, variables }, {
      next: (value) => { result = value; },
      error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
      complete: () => resolve(result),
    });
  });
}

/**
 * Starts a subscription and reports how it went within `ms`: still open (no error), or refused
 * with errors, or the socket closed with a code.
 */
export function wsSubscribeOutcome(client: Client, query: string, variables?: Record<string, unknown>, ms = 300): Promise<{ open: boolean; errors?: any[]; closeCode?: number; dispose: () => void }> {
  return new Promise((resolve) => {
    let settled = false;
    const dispose = client.subscribe({ query, variables }, {
      // A refused subscribe arrives as one result carrying errors, then complete.
      next: (value: any) => {
        if (settled || !value.errors) return;
        settled = true;
        resolve({ open: false, errors: value.errors, dispose });
      },
      error: (error: any) => {
        if (settled) return;
        settled = true;
        if (Array.isArray(error)) resolve({ open: false, errors: error, dispose });
        else resolve({ open: false, closeCode: error?.code, dispose });
      },
      complete: () => {},
    });
    setTimeout(() => {
      if (!settled) {
        settled = true;
        resolve({ open: true, dispose });
      }
    }, ms);
  });
}
