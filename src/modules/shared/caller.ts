import type { Role } from './role';

/** Who is calling: the API key a request or WebSocket connection authenticated with. */
export interface Caller {
  keyId: string;
  keyName: string;
  role: Role;
  /** For PARTNER keys, the model ids the key may touch; null means no restriction. */
  modelScope: string[] | null;
}
