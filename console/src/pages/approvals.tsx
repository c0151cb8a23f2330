import { useEffect, useState } from 'preact/hooks';
import { subscribe } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { useCan } from '../api/viewer';
import { graphql } from '../gql';
import type { ConsoleDeploymentRequestFragment } from '../gql/graphql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, formatTime, Loading } from '../ui/components';
import './approvals.css';

graphql(`
  fragment ConsoleDeploymentRequest on DeploymentRequest {
    id status environment mode trafficPercent createdAt requestedBy reason
    decidedBy decidedAt decisionComment
    model { id name }
    modelVersion { id version }
    gate { passed summary }
    deployment { id }
  }
`);

const PendingDocument = graphql(`
  query ConsolePendingApprovals($first: Int!) {
    deploymentRequests(first: $first, filter: { status: PENDING }) {
      totalCount
      edges { node { ...ConsoleDeploymentRequest } }
    }
  }
`);

/** Every request as it is made, approved or rejected: one model's, or all of them. */
export const RequestUpdatedDocument = graphql(`
  subscription ConsoleDeploymentRequestUpdated($modelId: ID) {
    deploymentRequestUpdated(modelId: $modelId) { id status }
  }
`);

const ApproveDocument = graphql(`
  mutation ConsoleApproveDeploymentRequest($input: ApproveDeploymentRequestInput!) {
    approveDeploymentRequest(input: $input) { ...ConsoleDeploymentRequest }
  }
`);

const RejectDocument = graphql(`
  mutation ConsoleRejectDeploymentRequest($input: RejectDeploymentRequestInput!) {
    rejectDeploymentRequest(input: $input) { ...ConsoleDeploymentRequest }
  }
`);

export type DeploymentRequestInfo = ConsoleDeploymentRequestFragment;

/** Calls `onEvent` whenever a deployment request (of one model, or any) is made or decided. */
export function useRequestUpdates(modelId: string | null, onEvent: () => void): void {
  useEffect(() => subscribe(RequestUpdatedDocument, { modelId }, { next: () => onEvent() }), [modelId]);
}

/** The pending deployment requests of every model, with approve and reject for those who may. */
export function ApprovalsPage(_: { route: Route }) {
  const { data, error, loading, reload } = useQuery(PendingDocument, { first: 100 });
  const [notice, setNotice] = useState<DeploymentRequestInfo | null>(null);
  useRequestUpdates(null, reload);
  const requests = data?.deploymentRequests.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Approvals</h1>
      <p class="muted">PRODUCTION deploys of models that require approval wait here for an APPROVER other than the requester and the one who trained the version (maker-checker). The list follows new requests and decisions live.</p>
      <ErrorBox error={error} />
      <Decided request={notice} />
      {loading && !data && <Loading what="pending requests" />}
      {data && requests.length === 0 && (
        <Empty>No pending approvals: a PRODUCTION deploy (<code>deployModelVersion</code>) of a model that requires approval appears here until it is approved or rejected.</Empty>
      )}
      {requests.length > 0 && (
        <RequestsTable caption={`${data!.deploymentRequests.totalCount} pending deployment requests`} requests={requests} showModel onDecided={(request) => { setNotice(request); reload(); }} />
      )}
    </>
  );
}

/** What the last decision made, announced politely. */
export function Decided({ request }: { request: DeploymentRequestInfo | null }) {
  return (
    <p role="status" class={request ? 'decided' : 'visually-hidden'}>
      {request && (request.status === 'APPROVED'
        ? <>Approved: <a href={href('models', request.model.id)}>{request.model.name}</a> v{request.modelVersion.version} is live in {request.environment}{request.mode === 'CANARY' ? ' as a canary' : ''}.</>
        : <>Rejected: {request.model.name} v{request.modelVersion.version} for {request.environment} ({request.decisionComment}).</>)}
    </p>
  );
}

/** Deployment requests as a table; a PENDING one offers approve and reject to roles that may. */
export function RequestsTable({ caption, requests, showModel, onDecided }: { caption: string; requests: DeploymentRequestInfo[]; showModel?: boolean; onDecided(request: DeploymentRequestInfo): void }) {
  return (
    <table class="requests">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {showModel && <th scope="col">Model</th>}
          <th scope="col">Version</th><th scope="col">Environment</th><th scope="col">Mode</th><th scope="col">Requested</th>
          <th scope="col">Reason</th><th scope="col">Gate check</th><th scope="col">Status</th><th scope="col">Decision</th>
        </tr>
      </thead>
      <tbody>
        {requests.map((request) => (
          <tr key={request.id} data-request={request.id}>
            {showModel && <th scope="row"><a href={href('models', request.model.id)}>{request.model.name}</a></th>}
            <td><a href={href('versions', request.modelVersion.id)}>v{request.modelVersion.version}</a></td>
            <td><Badge value={request.environment} /></td>
            <td>{request.mode}{request.trafficPercent !== null && request.trafficPercent !== undefined ? ` ${request.trafficPercent} %` : ''}</td>
            <td>{request.requestedBy ?? '—'}<br /><span class="muted">{formatTime(request.createdAt)}</span></td>
            <td>{request.reason ?? <span class="muted">none given</span>}</td>
            <td><GateCell gate={request.gate} /></td>
            <td><Badge value={request.status} /></td>
            <td>
              {request.status === 'PENDING'
                ? <DecisionForm request={request} onDecided={onDecided} />
                : <span>{request.decidedBy ?? '—'} <span class="muted">{formatTime(request.decidedAt)}</span>{request.decisionComment && <><br />“{request.decisionComment}”</>}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function GateCell({ gate }: { gate: DeploymentRequestInfo['gate'] }) {
  if (!gate) return <span class="muted">no promotion gate</span>;
  return <span class="gate"><Badge value={gate.passed ? 'PASSED' : 'FAILED'} /> {gate.summary}</span>;
}

/** Approve (with an optional comment) or reject (the comment is the reason) one pending request. */
function DecisionForm({ request, onDecided }: { request: DeploymentRequestInfo; onDecided(request: DeploymentRequestInfo): void }) {
  const can = useCan();
  const approve = useMutation(ApproveDocument);
  const reject = useMutation(RejectDocument);
  const [comment, setComment] = useState('');
  const canApprove = can('Mutation.approveDeploymentRequest');
  const canReject = can('Mutation.rejectDeploymentRequest');
  if (!canApprove && !canReject) return <span class="muted">awaiting an APPROVER</span>;
  const id = `decision-${request.id}`;
  const onApprove = async () => {
    const result = await approve.run({ input: { id: request.id, comment: comment.trim() || null } });
    if (result) onDecided(result.approveDeploymentRequest);
  };
  const onReject = async () => {
    const result = await reject.run({ input: { id: request.id, reason: comment.trim() } });
    if (result) onDecided(result.rejectDeploymentRequest);
  };
  const busy = approve.running || reject.running;
  return (
    <div class="decision">
      <label for={id}>Comment <span class="muted">(the reason, to reject)</span></label>
      <input id={id} type="text" maxLength={2000} value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
      <div class="decision-buttons">
        {canApprove && <button type="button" onClick={onApprove} disabled={busy}>Approve</button>}
        {canReject && <button type="button" class="danger" onClick={onReject} disabled={busy}>Reject</button>}
      </div>
      <ErrorBox error={approve.error ?? reject.error} />
    </div>
  );
}
