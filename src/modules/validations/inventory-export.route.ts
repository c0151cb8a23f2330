import { badInput } from '../../core/errors';
import { csvStream } from '../../engines/export/csv-export';
import { escapesFormulas } from '../datasets/dataset-export.route';
import { RiskTier } from '../models/model-inventory';
import type { HttpRoute } from '../shared/module-definition';
import { Roles } from '../shared/role';
import { ValidationStatus } from './validation-enums';
import type { ModelInventoryFilter } from './validation.inputs';

const COLUMNS = ['id', 'name', 'owner', 'riskTier', 'businessLine', 'regulations', 'intendedUse', 'knownLimitations', 'validationStatus', 'nextRevalidationDue', 'lateFindings', 'overdue', 'archived'];

/** A query parameter that must be one of an enum's values, or absent. */
function oneOf<T extends string>(values: Record<string, T>, raw: string | undefined, field: string): T | null {
  if (raw === undefined || raw === '') return null;
  if (!Object.values(values).includes(raw as T)) throw badInput(`${field} is one of ${Object.values(values).join(', ')}`, { field });
  return raw as T;
}

function flag(raw: string | undefined, field: string): boolean | null {
  if (raw === undefined || raw === '') return null;
  if (raw !== 'true' && raw !== 'false') throw badInput(`${field} is true or false`, { field });
  return raw === 'true';
}

function text(raw: string | undefined, field: string, max: number): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw.length > max) throw badInput(`${field} is at most ${max} characters`, { field });
  return raw;
}

/**
 * GET /exports/model-inventory.csv: the model inventory with its standing, one model per line,
 * narrowed by the modelInventory query's filters given as query parameters (riskTier, status,
 * owner, businessLine, regulation, overdue, includeArchived). Audited.
 */
export const inventoryExportRoute: HttpRoute = {
  path: '/exports/model-inventory.csv',
  roles: Roles.READERS,
  operation: 'exportModelInventory',
  async handle({ query }, _caller, services) {
    const filter: ModelInventoryFilter = {
      riskTier: oneOf(RiskTier, query.riskTier, 'riskTier'),
      status: oneOf(ValidationStatus, query.status, 'status'),
      owner: text(query.owner, 'owner', 200),
      businessLine: text(query.businessLine, 'businessLine', 200),
      regulation: text(query.regulation, 'regulation', 50),
      overdue: flag(query.overdue, 'overdue'),
      includeArchived: flag(query.includeArchived, 'includeArchived') ?? false,
    };
    const rows = await services.validations.inventory(filter);
    async function* lines() {
      for (const { model, standing, lateFindings, overdue } of rows) {
        yield [model.id, model.name, model.owner, model.riskTier, model.businessLine, model.regulations.join('; '), model.intendedUse, model.knownLimitations,
          standing.status, standing.nextRevalidationDue?.toISOString() ?? null, lateFindings, overdue, model.archivedAt !== null];
      }
    }
    const escapeFormulas = escapesFormulas(query);
    return {
      contentType: 'text/csv; charset=utf-8', filename: 'model-inventory.csv', body: csvStream(COLUMNS, lines(), { escapeFormulas }),
      audit: { models: rows.length, filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== null)), formulaEscape: escapeFormulas },
    };
  },
};
