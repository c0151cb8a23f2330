import { registerEnumType } from 'type-graphql';

/** Where a validation is in its workflow. */
export enum ValidationState {
  OPEN = 'OPEN',
  CONCLUDED = 'CONCLUDED',
}
registerEnumType(ValidationState, { name: 'ValidationState', description: 'OPEN: findings may be added; CONCLUDED: attested, final.' });

/** The validator's conclusion on a model version. */
export enum ValidationConclusion {
  APPROVED = 'APPROVED',
  APPROVED_WITH_CONDITIONS = 'APPROVED_WITH_CONDITIONS',
  REJECTED = 'REJECTED',
}
registerEnumType(ValidationConclusion, {
  name: 'ValidationConclusion',
  description: 'How a validation ends.',
  valuesConfig: {
    APPROVED: { description: 'Fit for its intended use. Not allowed while a HIGH finding is OPEN.' },
    APPROVED_WITH_CONDITIONS: { description: 'Fit for use while its open findings are remediated by their due dates.' },
    REJECTED: { description: 'Not fit for use: a HIGH-tier model cannot go live in PRODUCTION on this version.' },
  },
});

export enum FindingSeverity {
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}
registerEnumType(FindingSeverity, { name: 'FindingSeverity', description: 'How much a finding matters: an OPEN HIGH finding blocks an APPROVED conclusion.' });

export enum FindingStatus {
  OPEN = 'OPEN',
  REMEDIATED = 'REMEDIATED',
  ACCEPTED = 'ACCEPTED',
}
registerEnumType(FindingStatus, {
  name: 'FindingStatus',
  description: 'Where a finding stands.',
  valuesConfig: {
    OPEN: { description: 'Not yet dealt with.' },
    REMEDIATED: { description: 'Fixed, as the validator confirmed.' },
    ACCEPTED: { description: 'Not fixed; the risk is accepted, with a note saying why.' },
  },
});

/** A model's standing with its validators, derived from its validations and its tier's revalidation period. */
export enum ValidationStatus {
  NOT_VALIDATED = 'NOT_VALIDATED',
  VALIDATED = 'VALIDATED',
  VALIDATED_WITH_FINDINGS = 'VALIDATED_WITH_FINDINGS',
  EXPIRED = 'EXPIRED',
}
registerEnumType(ValidationStatus, {
  name: 'ValidationStatus',
  description: 'A model\'s standing with its validators.',
  valuesConfig: {
    NOT_VALIDATED: { description: 'No concluded, non-rejected validation of any of its versions.' },
    VALIDATED: { description: 'Its latest concluded validation approved it, with no finding open.' },
    VALIDATED_WITH_FINDINGS: { description: 'Approved (possibly with conditions) with findings still OPEN.' },
    EXPIRED: { description: 'Its latest approval is older than its tier\'s revalidation period.' },
  },
});
