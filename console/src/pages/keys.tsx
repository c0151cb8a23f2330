import { useEffect, useRef, useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { useMutation, useQuery } from '../api/hooks';
import { useCan, useViewer } from '../api/viewer';
import { graphql } from '../gql';
import type { ConsoleApiKeysQuery, Role } from '../gql/graphql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, formatTime, Loading, Section } from '../ui/components';
import './keys.css';

const ApiKeysDocument = graphql(`
  query ConsoleApiKeys($first: Int!, $after: String, $includeRevoked: Boolean!, $role: Role) {
    apiKeys(first: $first, after: $after, filter: { includeRevoked: $includeRevoked, role: $role }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name prefix principal role modelScope createdAt createdBy lastUsedAt revokedAt } }
    }
  }
`);

const CreateApiKeyDocument = graphql(`
  mutation ConsoleCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { secret apiKey { id name principal role modelScope } }
  }
`);

const RevokeApiKeyDocument = graphql(`
  mutation ConsoleRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { id revokedAt }
  }
`);

const ROLES: Role[] = ['VIEWER', 'DATA_SCIENTIST', 'APPROVER', 'VALIDATOR', 'PARTNER', 'ADMIN'];
const PAGE_SIZE = 25;

type Key = ConsoleApiKeysQuery['apiKeys']['edges'][number]['node'];

/** API keys (ADMIN): who holds which role, when each was used, issuing a key (its secret shown once) and revoking one. */
export function KeysPage(_: { route: Route }) {
  const can = useCan();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [role, setRole] = useState<Role | ''>('');
  const pages = useCursorPages(JSON.stringify([includeRevoked, role]));
  const { data, error, loading, reload } = useQuery(ApiKeysDocument, { first: PAGE_SIZE, after: pages.after, includeRevoked, role: role || null });
  const keys = data?.apiKeys;
  return (
    <>
      <h1>API keys</h1>
      {can('Mutation.createApiKey') && <CreateKey onCreated={reload} />}
      <Section title="Keys">
        <div class="toolbar">
          <label class="keys-check"><input type="checkbox" checked={includeRevoked} onChange={(e) => { setIncludeRevoked((e.target as HTMLInputElement).checked); }} /> Show revoked keys</label>
          <label for="keys-role">Show role</label>
          <select id="keys-role" value={role} onChange={(e) => { setRole((e.target as HTMLSelectElement).value as Role | ''); }}>
            <option value="">Any</option>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          {keys && <span class="muted" aria-live="polite">{keys.totalCount} {keys.totalCount === 1 ? 'key' : 'keys'}</span>}
        </div>
        <ErrorBox error={error} />
        {loading && !keys && <Loading what="keys" />}
        {keys && keys.edges.length === 0 && <Empty>No {includeRevoked ? '' : 'active '}keys{role ? ` with role ${role}` : ''}: issue one with the form above (or the <code>createApiKey</code> mutation).</Empty>}
        {keys && keys.edges.length > 0 && (
          <table class="keys-table">
            <caption class="visually-hidden">API keys, newest first</caption>
            <thead><tr>
              <th scope="col">Name</th><th scope="col">Principal</th><th scope="col">Role</th><th scope="col">Model scope</th>
              <th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr></thead>
            <tbody>{keys.edges.map(({ node }) => <KeyRow key={node.id} apiKey={node} onRevoked={reload} />)}</tbody>
          </table>
        )}
        <Pager pages={pages} pageInfo={keys?.pageInfo} />
      </Section>
    </>
  );
}

function KeyRow({ apiKey, onRevoked }: { apiKey: Key; onRevoked(): void }) {
  const can = useCan();
  const viewer = useViewer();
  const revoke = useMutation(RevokeApiKeyDocument);
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const mine = apiKey.id === viewer.keyId;
  // The confirmation takes the focus, so a keyboard user answers it next.
  useEffect(() => { if (confirming) confirmButton.current?.focus(); }, [confirming]);
  const onConfirm = async () => {
    if (await revoke.run({ id: apiKey.id })) {
      setConfirming(false);
      onRevoked();
    }
  };
  return (
    <tr class={apiKey.revokedAt ? 'keys-revoked' : undefined} data-key-id={apiKey.id}>
      <th scope="row">{apiKey.name}{mine && <span class="muted"> (your key)</span>}<div class="muted keys-prefix"><code>aim_{apiKey.prefix}_…</code></div></th>
      <td>{apiKey.principal}</td>
      <td><Badge value={apiKey.role} /></td>
      <td>{apiKey.modelScope?.length ? apiKey.modelScope.map((id) => <a key={id} class="keys-scope" href={href('models', id)}><code>{id}</code></a>) : <span class="muted">{apiKey.role === 'PARTNER' ? 'none' : 'all models'}</span>}</td>
      <td>{formatTime(apiKey.createdAt)}</td>
      <td>{apiKey.lastUsedAt ? formatTime(apiKey.lastUsedAt) : <span class="muted">never</span>}</td>
      <td>{apiKey.revokedAt ? <><Badge value="REVOKED" /> <span class="muted">{formatTime(apiKey.revokedAt)}</span></> : <Badge value="ACTIVE" />}</td>
      <td class="keys-actions">
        {!apiKey.revokedAt && can('Mutation.revokeApiKey') && !confirming && (
          <button type="button" class="secondary" onClick={() => setConfirming(true)} aria-label={`Revoke ${apiKey.name}`}>Revoke</button>
        )}
        {confirming && (
          <div class="keys-confirm" role="group" aria-label={`Confirm revoking ${apiKey.name}`}>
            <span>Revoke <strong>{apiKey.name}</strong>?{mine ? ' You are signed in with it: this signs you out.' : ' Requests with it are refused at once.'}</span>
            <button ref={confirmButton} type="button" class="danger" disabled={revoke.running} onClick={onConfirm}>{revoke.running ? 'Revoking…' : 'Yes, revoke'}</button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>Cancel</button>
          </div>
        )}
        <ErrorBox error={revoke.error} />
      </td>
    </tr>
  );
}

function CreateKey({ onCreated }: { onCreated(): void }) {
  const viewer = useViewer();
  const create = useMutation(CreateApiKeyDocument);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [principal, setPrincipal] = useState('');
  const [scope, setScope] = useState('');
  const [created, setCreated] = useState<{ name: string; role: Role; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const modelScope = role === 'PARTNER' ? scope.split(/[\s,]+/).filter(Boolean) : null;
    const result = await create.run({ input: { name: name.trim(), role, principal: principal.trim() || null, modelScope } });
    if (!result) return;
    setCreated({ name: result.createApiKey.apiKey.name, role: result.createApiKey.apiKey.role, secret: result.createApiKey.secret });
    setCopied(false);
    setName('');
    setPrincipal('');
    setScope('');
    onCreated();
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created!.secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Section title="Issue a key">
      {created && (
        <div class="keys-secret" role="status">
          <p>Key <strong>{created.name}</strong> ({created.role}) is ready. Copy its secret now: <strong>it is not shown again</strong> (the server keeps only a hash).</p>
          <p><code data-testid="new-secret">{created.secret}</code></p>
          <p>
            <button type="button" class="secondary" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>{' '}
            <button type="button" onClick={() => setCreated(null)}>I have stored it</button>
          </p>
        </div>
      )}
      <form class="keys-form" onSubmit={onSubmit}>
        <div class="keys-field">
          <label for="key-name">Name</label>
          <input id="key-name" type="text" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} placeholder="e.g. risk-dashboard" />
        </div>
        <div class="keys-field">
          <label for="key-role">Role</label>
          <select id="key-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <div class="keys-field">
          <label for="key-principal">Principal</label>
          <input id="key-principal" type="text" maxLength={200} value={principal} onInput={(e) => setPrincipal((e.target as HTMLInputElement).value)} placeholder={`default: ${viewer.principal}`} aria-describedby="key-principal-help" />
          <span id="key-principal-help" class="muted keys-help">The person or service account it is for: to maker-checker, all keys of one principal are one person.</span>
        </div>
        {role === 'PARTNER' && (
          <div class="keys-field">
            <label for="key-scope">Model scope</label>
            <input id="key-scope" type="text" required value={scope} onInput={(e) => setScope((e.target as HTMLInputElement).value)} placeholder="model ids or names, comma-separated" aria-describedby="key-scope-help" />
            <span id="key-scope-help" class="muted keys-help">A PARTNER key may use only these models.</span>
          </div>
        )}
        <div class="keys-submit">
          <button type="submit" disabled={create.running}>{create.running ? 'Issuing…' : 'Issue key'}</button>
        </div>
      </form>
      <ErrorBox error={create.error} />
    </Section>
  );
}
