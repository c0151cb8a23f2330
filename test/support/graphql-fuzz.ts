import fc from 'fast-check';
import {
  getNamedType, isEnumType, isInputObjectType, isInterfaceType, isLeafType, isListType, isNonNullType, isObjectType, isUnionType,
  type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';

/** A draw function from fc.gen(): one value of the arbitrary the factory builds. */
type Draw = fc.GeneratorValue;

/** One HTTP request to /graphql, as the fuzzer sends it. */
export interface FuzzRequest {
  /** What the request tries (for the tally): e.g. `query datasets` or `garbage body`. */
  label: string;
  method: 'POST' | 'GET';
  /** The body as sent (a JSON text, or deliberately not one). */
  body?: string | Buffer;
  /** For GET: the search string. */
  search?: string;
  contentType: string;
}

/** Values worth trying for ids and names: real ones from the server, and malformed ones. */
export interface IdPool {
  /** Ids and names of real objects that may be touched by any operation. */
  real: string[];
}

/**
 * Root mutations that start long work (training, sweeps, back-tests, batch jobs, reports) or
 * change who may call: the fuzzer sends them only ids that name nothing, so each case stays
 * cheap and the keys it runs with stay valid.
 */
const GUARDED_MUTATIONS = new Set([
  'startTrainingRun', 'startSweep', 'startBatchPrediction', 'runBacktest', 'startPaperTrading', 'fireRetrainPolicy',
  'setRetrainPolicy', 'createRobustnessReport', 'evaluateModelVersion', 'revokeApiKey', 'archiveModel', 'setModelControls',
]);

const BAD_IDS = ['', ' ', 'ds_', 'mdl_', 'mdl_00000000000000000000000000', 'run_../../etc/passwd', 'x'.repeat(300), '💥', '\u0000', 'null', '-1', '1e309', 'ds_01JZZZZZZZZZZZZZZZZZZZZZZZ', '%00', 'Robert"); DROP TABLE model;--'];
const WEIRD_STRINGS = ['', ' ', '\t\n', 'a', 'é', '𝔘𝔫𝔦', '\u202e', '\ud800', '<script>', '${x}', '__proto__', 'constructor', 'NaN', '0', '-0', '9'.repeat(400)];

/** Makes the fuzzer for one schema. */
export function graphqlFuzzer(schema: GraphQLSchema, pool: IdPool) {
  const queryFields = Object.values(schema.getQueryType()!.getFields());
  const mutationFields = Object.values(schema.getMutationType()!.getFields());

  function scalar(g: Draw, name: string, guarded: boolean): unknown {
    switch (name) {
      case 'ID':
      case 'String': {
        const pick = g(fc.integer, { min: 0, max: 9 });
        if (pick < 4 && !guarded && pool.real.length > 0) return pool.real[g(fc.integer, { min: 0, max: pool.real.length - 1 })];
        if (pick < 6) return (name === 'ID' ? BAD_IDS : WEIRD_STRINGS)[g(fc.integer, { min: 0, max: (name === 'ID' ? BAD_IDS : WEIRD_STRINGS).length - 1 })];
        return g(fc.string, { maxLength: 30, unit: pick === 9 ? 'grapheme' : 'binary' });
      }
      case 'Int':
        return g(fc.oneof, fc.integer({ min: -3, max: 120 }), fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 1000, 100_000));
      case 'Float':
        return g(fc.oneof, fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, 0.5, 1, -1, 1e300, -1e-300));
      case 'Boolean':
        return g(fc.boolean);
      case 'DateTimeISO':
        return g(fc.oneof, fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2026-13-40T99:00:00Z', 'yesterday', '0000-00-00'));
      case 'FloatList':
        return g(fc.array, fc.double({ noNaN: true, min: -1e3, max: 1e3 }), { maxLength: 6 });
      case 'StringList':
        return g(fc.array, fc.string({ maxLength: 8 }), { maxLength: 6 });
      case 'JSON':
      case 'JSONObject':
        return g(fc.dictionary, fc.constantFrom(...pool.real.slice(0, 3), 'age', 'income', 'x', '__proto__', ''), fc.oneof(fc.double({ noNaN: true }), fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null)), { maxKeys: 6 });
      default:
        return null;
    }
  }

  function inputValue(g: Draw, type: GraphQLInputType, depth: number, guarded: boolean): unknown {
    if (isNonNullType(type)) return inputValue(g, type.ofType, depth, guarded) ?? scalar(g, 'String', guarded);
    if (g(fc.integer, { min: 0, max: 19 }) === 0) return null;
    if (isListType(type)) {
      const n = depth > 3 ? 0 : g(fc.integer, { min: 0, max: 3 });
      return Array.from({ length: n }, () => inputValue(g, type.ofType, depth + 1, guarded));
    }
    if (isEnumType(type)) {
      const values = type.getValues();
      return values[g(fc.integer, { min: 0, max: values.length - 1 })].name;
    }
    if (isInputObjectType(type)) {
      const out: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        const required = isNonNullType(field.type) && field.defaultValue === undefined;
        if (required || (depth < 4 && g(fc.boolean))) out[field.name] = inputValue(g, field.type, depth + 1, guarded);
      }
      return out;
    }
    return scalar(g, type.name, guarded);
  }

  /** A selection set for a type, at most `depth` levels deep; arguments go to `args`. */
  function selection(g: Draw, type: GraphQLNamedType, depth: number, vars: Variables, guarded: boolean): string {
    if (isLeafType(type)) return '';
    if (isUnionType(type)) {
      const members = type.getTypes();
      const member = members[g(fc.integer, { min: 0, max: members.length - 1 })];
      return `{ __typename ... on ${member.name} ${selection(g, member, depth, vars, guarded) || '{ __typename }'} }`;
    }
    if (!isObjectType(type) && !isInterfaceType(type)) return '';
    const fields = Object.values((type as GraphQLObjectType).getFields());
    const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)) && f.args.length === 0);
    const picked: string[] = [];
    const n = g(fc.integer, { min: 1, max: 4 });
    for (let i = 0; i < n; i++) {
      const pool = depth <= 0 || g(fc.integer, { min: 0, max: 2 }) === 0 ? (leaves.length ? leaves : fields) : fields;
      const field = pool[g(fc.integer, { min: 0, max: pool.length - 1 })];
      picked.push(fieldText(g, field, depth - 1, vars, guarded));
    }
    return `{ __typename ${picked.join(' ')} }`;
  }

  function fieldText(g: Draw, field: GraphQLField<unknown, unknown>, depth: number, vars: Variables, guarded: boolean): string {
    const args = argsText(g, field.args, vars, guarded);
    const named = getNamedType(field.type);
    const sub = isLeafType(named) ? '' : depth < 0 ? '{ __typename }' : selection(g, named, depth, vars, guarded);
    return `${field.name}${args} ${sub}`;
  }

  /** Arguments: required ones always, optional ones sometimes, each inline or as a variable. */
  function argsText(g: Draw, args: readonly GraphQLArgument[], vars: Variables, guarded: boolean): string {
    const parts: string[] = [];
    for (const arg of args) {
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      if (!required && !g(fc.boolean)) continue;
      const value = inputValue(g, arg.type, 0, guarded);
      if (g(fc.integer, { min: 0, max: 3 }) === 0) parts.push(`${arg.name}: ${literal(value, arg.type)}`);
      else {
        const name = `v${vars.defs.length}`;
        vars.defs.push(`$${name}: ${String(arg.type)}`);
        vars.values[name] = value;
        parts.push(`${arg.name}: $${name}`);
      }
    }
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  /** A valid-ish operation: one or two root fields with random arguments and selections. */
  function operation(g: Draw): { kind: string; root: string; query: string; variables: Record<string, unknown> } {
    const isMutation = g(fc.integer, { min: 0, max: 2 }) === 0;
    const roots = isMutation ? mutationFields : queryFields;
    const root = roots[g(fc.integer, { min: 0, max: roots.length - 1 })];
    const guarded = isMutation && GUARDED_MUTATIONS.has(root.name);
    const vars: Variables = { defs: [], values: {} };
    const depth = g(fc.integer, { min: 0, max: 4 });
    const body = fieldText(g, root, depth, vars, guarded);
    const kind = isMutation ? 'mutation' : 'query';
    const query = `${kind}${vars.defs.length ? ` Fuzz(${vars.defs.join(', ')})` : ''} { ${body} }`;
    return { kind, root: root.name, query, variables: vars.values };
  }

  /** The arbitrary: a valid-ish operation, then (often) one or more mutations of it. */
  const request: fc.Arbitrary<FuzzRequest> = fc.gen().map((g) => shortPrinted(build(g)));
  function build(g: Draw): FuzzRequest {
    const op = operation(g);
    let { query } = op;
    let variables: unknown = op.variables;
    const applied: string[] = [];
    const mutations = g(fc.integer, { min: 0, max: 2 });
    for (let i = 0; i < mutations; i++) {
      const mutation = MUTATIONS[g(fc.integer, { min: 0, max: MUTATIONS.length - 1 })];
      const out = mutation.apply(g, query, variables);
      if (out.raw) return { ...out.raw, label: mutation.name };
      ({ query, variables } = out as { query: string; variables: unknown });
      applied.push(mutation.name);
    }
    const label = `${op.kind} ${op.root}${applied.length ? ` +${applied.join('+')}` : ''}`;
    const search = new URLSearchParams({ query, variables: JSON.stringify(variables) }).toString();
    // A GET now and then (under 64 KB: past that the client's own write fails before it reads
    // the server's 431, which test/integration/http-semantics.test.ts covers).
    if (g(fc.integer, { min: 0, max: 19 }) === 0 && op.kind === 'query' && search.length < 65_536) {
      return { label: `GET ${label}`, method: 'GET', search, contentType: 'application/json' };
    }
    return { label, method: 'POST', body: JSON.stringify({ query, variables }), contentType: 'application/json' };
  }

  return { request };
}

/** A counterexample printed at most 2,000 characters long (a huge string would flood the report). */
export function shortPrinted<T extends object>(value: T): T {
  const text = JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) || v?.type === 'Buffer' ? `<${v.length ?? v.data?.length} bytes>` : v));
  return Object.assign(value, { [fc.toStringMethod]: () => (text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters)` : text) });
}

interface Variables {
  defs: string[];
  values: Record<string, unknown>;
}

/** A GraphQL literal for a value (enums bare where the type says so). */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  if (isNonNullType(type)) return literal(value, type.ofType);
  if (isListType(type)) return Array.isArray(value) ? `[${value.map((v) => literal(v, type.ofType)).join(', ')}]` : literal(value, type.ofType);
  if (isEnumType(type)) return String(value);
  if (isInputObjectType(type) && typeof value === 'object') {
    const fields = type.getFields();
    return `{ ${Object.entries(value as object).map(([k, v]) => `${k}: ${literal(v, fields[k]?.type ?? type)}`).join(', ')} }`;
  }
  return jsonLiteral(value);
}

/** JSON written as a GraphQL literal (object keys bare, as GraphQL wants). */
function jsonLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(', ')}]`;
  if (value && typeof value === 'object') return `{ ${Object.entries(value).filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k)).map(([k, v]) => `${k}: ${jsonLiteral(v)}`).join(', ')} }`;
  if (typeof value === 'number' && !Number.isFinite(value)) return '0';
  return JSON.stringify(value);
}

interface Mutation {
  name: string;
  apply(g: Draw, query: string, variables: unknown): { query: string; variables: unknown; raw?: undefined } | { raw: Omit<FuzzRequest, 'label'> };
}

const firstVariable = (variables: unknown): string | null => (variables && typeof variables === 'object' && !Array.isArray(variables) ? (Object.keys(variables)[0] ?? null) : null);

/** Ways to spoil a valid-ish request: each is a kind of input a careless or hostile client sends. */
const MUTATIONS: Mutation[] = [
  {
    name: 'wrong-type-variable',
    apply(g, query, variables) {
      const key = firstVariable(variables);
      const junk = g(fc.jsonValue, { maxDepth: 3 });
      return { query, variables: key ? { ...(variables as object), [key]: junk } : { v0: junk } };
    },
  },
  {
    name: 'huge-string',
    apply(g, query, variables) {
      const size = g(fc.constantFrom, 10_000, 300_000, 1_500_000);
      const huge = g(fc.constantFrom, 'a', 'é', '"', '\\', '\n').repeat(size);
      const key = firstVariable(variables);
      if (key && g(fc.boolean)) return { query, variables: { ...(variables as object), [key]: huge } };
      return { query: query.replace(/"[^"]*"/, JSON.stringify(huge)).replace(/\{ __typename/, `{ __typename alias${size}: __typename`), variables };
    },
  },
  {
    name: 'deep-nesting',
    apply(g, query, variables) {
      const depth = g(fc.constantFrom, 20, 200, 3000);
      if (g(fc.boolean)) {
        const key = firstVariable(variables) ?? 'v0';
        let nested: unknown = 1;
        for (let i = 0; i < depth; i++) nested = g(fc.boolean) ? [nested] : { a: nested };
        return { query, variables: { ...((variables as object) ?? {}), [key]: nested } };
      }
      // A selection nested deeper than any limit, on a type that references itself.
      const inner = `${'node(id: "x") { ... on Dataset { id '.repeat(Math.min(depth, 400))}${'} }'.repeat(Math.min(depth, 400))}`;
      return { query: query.replace(/\{ __typename/, `{ __typename ${inner}`), variables };
    },
  },
  {
    name: 'unknown-field',
    apply(g, query, variables) {
      const where = g(fc.constantFrom, 'selection', 'argument', 'variable-type');
      if (where === 'selection') return { query: query.replace(/__typename/, '__typename notAField'), variables };
      if (where === 'argument') return { query: query.replace(/\{ (\w+)/, '{ $1(notAnArgument: 1)'), variables };
      return { query: query.replace(/: ([A-Z]\w*)(!?)([,)])/, ': NotAType$2$3'), variables };
    },
  },
  {
    name: 'bad-ids',
    apply(g, query, variables) {
      const bad = BAD_IDS[g(fc.integer, { min: 0, max: BAD_IDS.length - 1 })];
      const values = Object.fromEntries(Object.entries((variables as Record<string, unknown>) ?? {}).map(([k, v]) => [k, typeof v === 'string' ? bad : v]));
      return { query: query.replace(/"[^"\\]*"/g, JSON.stringify(bad)), variables: values };
    },
  },
  {
    name: 'text-edit',
    apply(g, query, variables) {
      const at = g(fc.integer, { min: 0, max: query.length });
      const cut = g(fc.integer, { min: 0, max: 5 });
      const insert = g(fc.constantFrom, '', '{', '}', '(', ')', '"', '$', '...', '@skip(if: true)', '@include(if: $nope)', '#', '\u0000', 'fragment F on Query { __typename }', ',,,', 'query', '!');
      return { query: query.slice(0, at) + insert + query.slice(at + cut), variables };
    },
  },
  {
    name: 'drop-variable',
    apply(_g, query, variables) {
      const key = firstVariable(variables);
      if (!key) return { query, variables: null };
      const { [key]: _dropped, ...rest } = variables as Record<string, unknown>;
      return { query, variables: rest };
    },
  },
  {
    name: 'many-operations',
    apply(g, query, variables) {
      const n = g(fc.constantFrom, 2, 40, 120);
      const ops = Array.from({ length: n }, (_, i) => `query Q${i} { __typename }`).join(' ');
      return { query: `${query} ${ops}`, variables };
    },
  },
  {
    name: 'aliases-and-fragments',
    apply(g, query, variables) {
      const n = g(fc.constantFrom, 5, 50, 2000);
      const aliases = Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ');
      const spread = g(fc.boolean) ? ' ...Cycle } fragment Cycle on Query { ...Cycle' : '';
      return { query: query.replace(/\{ __typename/, `{ __typename ${aliases}`).replace(/\}\s*$/, `${spread} }`), variables };
    },
  },
  {
    name: 'garbage-body',
    apply(g) {
      const kind = g(fc.constantFrom, 'not-json', 'array', 'query-not-string', 'variables-not-object', 'empty', 'binary', 'form');
      const bodies: Record<string, [string | Buffer, string]> = {
        'not-json': ['{"query": "{ __typename }"', 'application/json'],
        array: ['[{"query": "{ __typename }"}, {"query": "{ viewer { role } }"}]', 'application/json'],
        'query-not-string': [JSON.stringify({ query: g(fc.jsonValue, { maxDepth: 2 }) }), 'application/json'],
        'variables-not-object': [JSON.stringify({ query: 'query($a: Int) { __typename }', variables: g(fc.constantFrom, '[]', 'x', 1, [1], true) }), 'application/json'],
        empty: ['', 'application/json'],
        binary: [Buffer.from(g(fc.uint8Array, { minLength: 1, maxLength: 200 })), g(fc.constantFrom, 'application/json', 'application/octet-stream', 'text/plain')],
        form: ['query=%7B__typename%7D', 'application/x-www-form-urlencoded'],
      };
      const [body, contentType] = bodies[kind];
      return { raw: { method: 'POST', body, contentType } };
    },
  },
];
