import type { Role } from './role';

/** Who is calling: the API key a request or WebSocket connection authenticated with. */
export interface Caller {
  keyId: string;
  keyName: string;
  /** The person or service account the key belongs to: maker-checker compares these, not keys. */
  principal: string;
  role: Role;
  /** For PARTNER keys, the model ids the key may touch; null means no restriction. */
  modelScope: string[] | null;
}
