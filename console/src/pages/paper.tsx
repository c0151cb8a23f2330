import { useEffect, useState } from 'preact/hooks';
import { subscribe, type ApiError } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { useCan } from '../api/viewer';
import { graphql } from '../gql';
import type { ConsolePaperDecisionFragment } from '../gql/graphql';
import { href, type Route } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { TimeChart } from '../ui/time-chart';
import './monitoring.css';

const PaperSessionDocument = graphql(`
  query ConsolePaperSession($id: ID!) {
    paperTradingSession(id: $id) {
      id status strategy environment createdAt stoppedAt decisions lastSeq hitRate
      model { id name }
      figures { ...ConsolePaperDecision }
    }
  }
  fragment ConsolePaperDecision on PaperDecision {
    seq price forecast position equity totalReturn sharpe maxDrawdown trades
  }
`);

const PaperUpdatedDocument = graphql(`
  subscription ConsolePaperUpdated($sessionId: ID!) {
    paperTradingUpdated(sessionId: $sessionId) { ...ConsolePaperDecision }
  }
`);

const StopPaperDocument = graphql(`
  mutation ConsoleStopPaper($id: ID!) {
    stopPaperTrading(id: $id) { id status stoppedAt }
  }
`);

type Decision = ConsolePaperDecisionFragment;
/** The most decisions the page keeps (the charts redraw all of them). */
const KEEP = 5000;

/**
 * A paper-trading session: its running figures first, then each decision as the feed's ticks
 * arrive (the equity curve grows live), until it stops; Stop for keys that may.
 */
export function PaperPage({ route }: { route: Route }) {
  const id = route.parts[1] ?? '';
  const { data, error, loading, reload } = useQuery(PaperSessionDocument, { id }, { skip: !id });
  const [decisions, setDecisions] = useState<Decision[]>([]);
  const [done, setDone] = useState(false);
  const [streamError, setStreamError] = useState<ApiError | null>(null);
  const stop = useMutation(StopPaperDocument);
  const can = useCan();
  useEffect(() => {
    setDecisions([]);
    setDone(false);
    setStreamError(null);
    return subscribe(PaperUpdatedDocument, { sessionId: id }, {
      next: ({ paperTradingUpdated: decision }) => setDecisions((current) => {
        // The first message repeats the running figures: keep each tick once, in order.
        const last = current[current.length - 1];
        if (last && decision.seq <= last.seq) return current;
        const next = [...current, decision];
        return next.length > KEEP ? next.slice(next.length - KEEP) : next;
      }),
      error: setStreamError,
      complete: () => setDone(true),
    });
  }, [id]);
  useEffect(() => { if (done) reload(); }, [done]);

  if (!id) return <><h1>Paper trading</h1><Empty>Open a session by its id: <code>#/paper/&lt;sessionId&gt;</code>. Start one with the <code>startPaperTrading</code> mutation on a forecast model and a feed.</Empty></>;
  if (loading && !data) return <Loading what="the paper-trading session" />;
  const session = data?.paperTradingSession;
  if (!session) return <><h1>Paper trading</h1><ErrorBox error={error} />{!error && <Empty>No paper-trading session with id {id}.</Empty>}</>;
  const latest = decisions[decisions.length - 1] ?? session.figures;
  const running = session.status === 'RUNNING' && !done;
  const decided = session.decisions + decisions.filter((d) => d.seq > session.lastSeq).length;
  const onStop = async () => {
    if (await stop.run({ id })) reload();
  };
  const seqs = decisions.map((d) => d.seq);
  return (
    <>
      <h1>Paper trading {session.id} <span class="muted">of</span> <a href={href('models', session.model.id)}>{session.model.name}</a></h1>
      <div class="status-line" aria-live="polite">
        <Badge value={running ? 'RUNNING' : 'STOPPED'} />
        <span>{session.strategy} in {session.environment}</span>
        <span data-testid="paper-decided">{decided} ticks decided</span>
        <span>last tick {latest.seq}</span>
        {running && can('Mutation.stopPaperTrading') && (
          <button type="button" class="danger" onClick={onStop} disabled={stop.running}>Stop</button>
        )}
      </div>
      <ErrorBox error={stop.error ?? error ?? streamError} />
      <Section title="Running figures">
        <Facts items={[
          ['Equity', <span data-testid="paper-equity">{formatNumber(latest.equity, 8)}</span>],
          ['Total return', `${formatNumber(latest.totalReturn * 100, 4)} %`],
          ['Sharpe', formatNumber(latest.sharpe, 3)],
          ['Max drawdown', `${formatNumber(latest.maxDrawdown * 100, 4)} %`],
          ['Trades', latest.trades],
          ['Position', formatNumber(latest.position)],
          ['Last price', formatNumber(latest.price, 6)],
          ['Last forecast', latest.forecast == null ? 'window filling' : formatNumber(latest.forecast, 6)],
          ['Hit rate', session.hitRate == null ? null : `${formatNumber(session.hitRate * 100, 3)} %`],
          ['Started', formatTime(session.createdAt)],
          ['Stopped', formatTime(session.stoppedAt)],
        ]} />
      </Section>
      <Section title="Equity and forecasts">
        <p class="muted">The curves start when this page opened (the session keeps its running figures, not each past decision) and grow with every tick.</p>
        {running && decisions.length <= 1 && <Empty>Waiting for ticks: push them to the session's feed with <code>pushTicks</code> (or let its stream deliver them).</Empty>}
        <div class="charts" data-testid="paper-charts">
          <TimeChart title="Equity by tick" x={seqs} xLabel="tick" series={[{ label: 'equity', values: decisions.map((d) => d.equity) }]} />
          <TimeChart title="Price and forecast by tick" x={seqs} xLabel="tick" series={[
            { label: 'price', values: decisions.map((d) => (d.seq === 0 ? null : d.price)) },
            { label: 'forecast', values: decisions.map((d) => d.forecast ?? null) },
          ]} />
        </div>
      </Section>
      <Section title="Decisions">
        {decisions.every((d) => d.seq === 0) ? <Empty>No decisions yet: each tick of the feed is decided as it arrives.</Empty> : (
          <table data-testid="paper-decisions">
            <caption class="visually-hidden">Decisions, newest first</caption>
            <thead><tr><th scope="col" class="num">Tick</th><th scope="col" class="num">Price</th><th scope="col" class="num">Forecast</th><th scope="col" class="num">Position</th><th scope="col" class="num">Equity</th><th scope="col" class="num">Total return</th><th scope="col" class="num">Trades</th></tr></thead>
            <tbody>
              {decisions.filter((d) => d.seq > 0).slice(-50).reverse().map((d) => (
                <tr key={d.seq}>
                  <th scope="row" class="num">{d.seq}</th>
                  <td class="num">{formatNumber(d.price, 6)}</td>
                  <td class="num">{d.forecast == null ? <span class="muted">window filling</span> : formatNumber(d.forecast, 6)}</td>
                  <td class="num">{formatNumber(d.position)}</td>
                  <td class="num">{formatNumber(d.equity, 8)}</td>
                  <td class="num">{formatNumber(d.totalReturn * 100, 4)} %</td>
                  <td class="num">{d.trades}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
