import { connectionType } from '../shared/connection';
import { ApiKey } from './api-key.entity';
import { AuditEntry } from './audit-entry.entity';

export const ApiKeyConnection = connectionType(ApiKey, 'ApiKey');
export const AuditEntryConnection = connectionType(AuditEntry, 'AuditEntry');
