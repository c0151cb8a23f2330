import { registerEnumType } from 'type-graphql';

/** What an API key may do; see the README's security section for the full table. */
export enum Role {
  VIEWER = 'VIEWER',
  DATA_SCIENTIST = 'DATA_SCIENTIST',
  APPROVER = 'APPROVER',
  ADMIN = 'ADMIN',
  PARTNER = 'PARTNER',
  VALIDATOR = 'VALIDATOR',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What an API key may do.',
  valuesConfig: {
    VIEWER: { description: 'Reads everything except API keys and the audit log.' },
    DATA_SCIENTIST: { description: 'VIEWER, plus creates and changes datasets, models and training runs, and deploys (to PRODUCTION through an approval request unless the model waives it).' },
    APPROVER: { description: 'VIEWER, plus approves PRODUCTION deployments, sets models\' deployment controls, rolls back, and reads the audit log.' },
    ADMIN: { description: 'Everything, including API keys and alert rules.' },
    PARTNER: { description: 'Only predictions, training streams and health alerts, and only for the models in its key\'s modelScope.' },
    VALIDATOR: { description: 'Independent model validation: reads everything a VIEWER reads plus the audit log, and writes only validations and their findings.' },
  },
});

/**
 * The role lists operations declare with `@Authorized(...)`. Every operation names one, so who
 * may call it is visible where it is defined (and checked by the role-by-operation test).
 */
export const Roles = {
  /** Internal readers: everything but keys and the audit log. */
  READERS: [Role.VIEWER, Role.DATA_SCIENTIST, Role.APPROVER, Role.VALIDATOR, Role.ADMIN],
  /** Readers plus partners, for operations that are model-scoped for partners. */
  READERS_AND_PARTNERS: [Role.VIEWER, Role.DATA_SCIENTIST, Role.APPROVER, Role.VALIDATOR, Role.ADMIN, Role.PARTNER],
  /** Those who build: datasets, models, training. */
  BUILDERS: [Role.DATA_SCIENTIST, Role.ADMIN],
  /** Those who may roll a deployment back: builders and approvers (an emergency should not wait). */
  DEPLOYERS: [Role.DATA_SCIENTIST, Role.APPROVER, Role.ADMIN],
  /** Those who check: the audit log, production approvals. */
  AUDITORS: [Role.APPROVER, Role.ADMIN],
  /** Who reads the audit log: the checkers and the independent validators. */
  AUDIT_READERS: [Role.APPROVER, Role.VALIDATOR, Role.ADMIN],
  /** Who validates models: validators, and admins (who may do everything). */
  VALIDATORS: [Role.VALIDATOR, Role.ADMIN],
  ADMINS: [Role.ADMIN],
  /** Who manages webhooks: admins for everything, partners for their own models. */
  NOTIFIERS: [Role.ADMIN, Role.PARTNER],
  /** Any valid key. */
  ANY: [Role.VIEWER, Role.DATA_SCIENTIST, Role.APPROVER, Role.VALIDATOR, Role.ADMIN, Role.PARTNER],
} as const;
