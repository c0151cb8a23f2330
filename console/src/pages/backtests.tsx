import { useEffect, useMemo, useState } from 'preact/hooks';
import { Pager, useCursorPages } from '../ui/pager';
import { subscribe, type ApiError } from '../api/client';
import { useQuery } from '../api/hooks';
import { graphql } from '../gql';
import type { ConsoleBacktestQuery, ConsoleBacktestStateFragment } from '../gql/graphql';
import { href, navigate, type Route } from '../router';
import { Badge, Empty, ErrorBox, Facts, formatNumber, formatTime, Loading, Section } from '../ui/components';
import { EChart, type ChartOption } from '../ui/echart';
import { PALETTE } from '../ui/time-chart';
import './monitoring.css';

const BacktestsDocument = graphql(`
  query ConsoleBacktests($first: Int!, $after: String, $modelId: ID) {
    backtests(first: $first, after: $after, filter: { modelId: $modelId }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id status progress strategy createdAt finishedAt rowCount
        model { id name }
        modelVersion { id version }
        datasetVersion { id version dataset { id name } }
        metrics { totalReturn sharpe maxDrawdown }
        benchmark { totalReturn }
        bestThreshold { threshold expectedProfit }
      } }
    }
  }
`);

const BacktestDocument = graphql(`
  query ConsoleBacktest($id: ID!, $maxPoints: Int!) {
    backtest(id: $id) {
      ...ConsoleBacktestState
      strategy from to createdAt
      model { id name task }
      modelVersion { id version }
      datasetVersion { id version dataset { id name } }
      metrics { totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownPeriods calmar hitRate trades turnover periodsPerYear }
      benchmark { totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownPeriods calmar }
      equityCurve(maxPoints: $maxPoints) { at equity benchmark }
      thresholdCurve { threshold approvalRate badRate expectedProfit }
      bestThreshold { threshold approvalRate badRate expectedProfit }
    }
  }
  fragment ConsoleBacktestState on Backtest {
    id status progress error finishedAt rowCount
  }
`);

const BacktestUpdatedDocument = graphql(`
  subscription ConsoleBacktestUpdated($backtestId: ID!) {
    backtestUpdated(backtestId: $backtestId) { ...ConsoleBacktestState }
  }
`);

const BacktestTradesDocument = graphql(`
  query ConsoleBacktestTrades($id: ID!, $first: Int!, $after: String) {
    backtest(id: $id) {
      id
      trades(first: $first, after: $after) { totalCount hasNextPage endCursor items { at position price predictedReturn cost } }
    }
  }
`);

type Backtest = NonNullable<ConsoleBacktestQuery['backtest']>;
const ENDED = new Set(['SUCCEEDED', 'FAILED']);
const TRADES_PAGE = 50;

/** `#/backtests` lists the back-tests; `#/backtests/<id>` opens one. */
export function BacktestsRoute({ route }: { route: Route }) {
  return route.parts[1] ? <BacktestPage id={route.parts[1]} /> : <BacktestListPage route={route} />;
}

/** Back-tests, newest first, all or one model's (`?model=<id or name>`). */
function BacktestListPage({ route }: { route: Route }) {
  const model = route.query.get('model') ?? '';
  const [typed, setTyped] = useState(model);
  const pages = useCursorPages(model);
  useEffect(() => { setTyped(model); }, [model]);
  const { data, error, loading } = useQuery(BacktestsDocument, { first: 25, after: pages.after, modelId: model || null });
  const list = data?.backtests;
  return (
    <>
      <h1>Back-tests</h1>
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); navigate(typed ? `#/backtests?${new URLSearchParams({ model: typed })}` : '#/backtests'); }}>
        <label for="backtest-model">Model (name or id)</label>
        <input id="backtest-model" type="search" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        <button type="submit" class="secondary">Filter</button>
        {list && <span class="muted">{list.totalCount} back-tests</span>}
      </form>
      <ErrorBox error={error} />
      {loading && !list && <Loading what="back-tests" />}
      {list && list.edges.length === 0 && (
        <Empty>No back-tests{model ? ` of ${model}` : ''} yet: run one with the <code>runBacktest</code> mutation (LONG_ONLY or LONG_SHORT on a forecast model, CREDIT_APPROVAL on a binary classifier).</Empty>
      )}
      {list && list.edges.length > 0 && (
        <table>
          <caption class="visually-hidden">Back-tests, newest first</caption>
          <thead><tr>
            <th scope="col">Back-test</th><th scope="col">Model</th><th scope="col">Strategy</th><th scope="col">Status</th><th scope="col">Dataset</th>
            <th scope="col" class="num">Return</th><th scope="col" class="num">Buy and hold</th><th scope="col" class="num">Sharpe</th><th scope="col">Created</th>
          </tr></thead>
          <tbody>
            {list.edges.map(({ node: b }) => (
              <tr key={b.id}>
                <th scope="row"><a href={href('backtests', b.id)}>{b.id}</a></th>
                <td><a href={href('models', b.model.id)}>{b.model.name}</a> <a href={href('versions', b.modelVersion.id)}>v{b.modelVersion.version}</a></td>
                <td>{b.strategy}</td>
                <td><Badge value={b.status} />{!ENDED.has(b.status) && <span class="muted"> {Math.round(b.progress * 100)} %</span>}</td>
                <td><a href={href('datasets', b.datasetVersion.dataset.id)}>{b.datasetVersion.dataset.name} v{b.datasetVersion.version}</a></td>
                <td class="num">{b.metrics ? percent(b.metrics.totalReturn) : b.bestThreshold ? `best profit ${formatNumber(b.bestThreshold.expectedProfit)}` : '—'}</td>
                <td class="num">{b.benchmark ? percent(b.benchmark.totalReturn) : '—'}</td>
                <td class="num">{formatNumber(b.metrics?.sharpe, 3)}</td>
                <td>{formatTime(b.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={list?.pageInfo} />
    </>
  );
}

function percent(value: number | null | undefined, digits = 3): string {
  return value == null ? '—' : `${formatNumber(value * 100, digits)} %`;
}

/** One back-test: live progress until it ends, then its equity against buy-and-hold, drawdowns, figures and trades. */
function BacktestPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useQuery(BacktestDocument, { id, maxPoints: 1000 });
  const [live, setLive] = useState<ConsoleBacktestStateFragment | null>(null);
  const [streamError, setStreamError] = useState<ApiError | null>(null);
  useEffect(() => {
    setLive(null);
    setStreamError(null);
    return subscribe(BacktestUpdatedDocument, { backtestId: id }, { next: ({ backtestUpdated }) => setLive(backtestUpdated), error: setStreamError });
  }, [id]);
  const backtest = data?.backtest;
  // The figures are written when it ends: read them again then.
  const endedLive = live !== null && ENDED.has(live.status);
  useEffect(() => {
    if (endedLive && backtest && !ENDED.has(backtest.status)) reload();
  }, [endedLive, backtest?.status]);

  if (loading && !data) return <Loading what="the back-test" />;
  if (!backtest) return <><h1>Back-test</h1><ErrorBox error={error} />{!error && <Empty>No back-test with id {id}.</Empty>}</>;
  const state = live && (!ENDED.has(backtest.status) || ENDED.has(live.status)) ? live : backtest;
  const ended = ENDED.has(state.status);
  const trading = backtest.strategy !== 'CREDIT_APPROVAL';
  return (
    <>
      <h1>Back-test {backtest.id} <span class="muted">of</span> <a href={href('models', backtest.model.id)}>{backtest.model.name}</a></h1>
      <div class="status-line" aria-live="polite">
        <Badge value={state.status} />
        <span>{backtest.strategy}</span>
        {!ended && <progress max={1} value={state.progress} aria-label="Progress">{Math.round(state.progress * 100)} %</progress>}
        <span data-testid="backtest-progress">{Math.round(state.progress * 100)} %</span>
        <a href={`#/backtests?${new URLSearchParams({ model: backtest.model.id })}`}>Other back-tests of this model</a>
      </div>
      <ErrorBox error={error ?? streamError} />
      {state.error && <p class="error" role="alert">{state.error}</p>}
      <Section title="Details">
        <Facts items={[
          ['Model', <a href={href('models', backtest.model.id)}>{backtest.model.name}</a>],
          ['Version', <a href={href('versions', backtest.modelVersion.id)}>v{backtest.modelVersion.version}</a>],
          ['Dataset', <a href={href('datasets', backtest.datasetVersion.dataset.id)}>{backtest.datasetVersion.dataset.name} v{backtest.datasetVersion.version}</a>],
          ['Strategy', backtest.strategy],
          ['Rows', state.rowCount],
          ['From', formatTime(backtest.from)],
          ['To', formatTime(backtest.to)],
          ['Created', formatTime(backtest.createdAt)],
          ['Finished', formatTime(state.finishedAt)],
        ]} />
      </Section>
      {!ended && <Empty>The back-test is {state.status.toLowerCase()}: its curves, figures and trades appear here when it has finished.</Empty>}
      {ended && state.status === 'SUCCEEDED' && trading && <TradingResults backtest={backtest} />}
      {ended && state.status === 'SUCCEEDED' && !trading && <CreditResults backtest={backtest} />}
    </>
  );
}

function TradingResults({ backtest }: { backtest: Backtest }) {
  const curve = backtest.equityCurve;
  const equity = useMemo<ChartOption>(() => ({
    grid: { left: 70, right: 20, top: 40, bottom: 40 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'equity', scale: true },
    series: [
      { type: 'line', name: 'strategy', showSymbol: false, data: curve.map((p) => [p.at, p.equity]), lineStyle: { width: 2, color: PALETTE[0] }, itemStyle: { color: PALETTE[0] } },
      { type: 'line', name: 'buy and hold', showSymbol: false, data: curve.map((p) => [p.at, p.benchmark]), lineStyle: { width: 2, color: PALETTE[1] }, itemStyle: { color: PALETTE[1] } },
    ],
  }), [curve]);
  const drawdown = useMemo<ChartOption>(() => {
    const fall = (values: number[]) => {
      let peak = -Infinity;
      return values.map((v) => { peak = Math.max(peak, v); return Number(((v / peak - 1) * 100).toFixed(3)); });
    };
    const strategy = fall(curve.map((p) => p.equity));
    const hold = fall(curve.map((p) => p.benchmark));
    return {
      grid: { left: 70, right: 20, top: 40, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: '% below peak', axisLabel: { formatter: '{value} %' } },
      series: [
        { type: 'line', name: 'strategy', showSymbol: false, data: curve.map((p, i) => [p.at, strategy[i]]), areaStyle: { opacity: 0.25 }, lineStyle: { color: PALETTE[0] }, itemStyle: { color: PALETTE[0] } },
        { type: 'line', name: 'buy and hold', showSymbol: false, data: curve.map((p, i) => [p.at, hold[i]]), lineStyle: { color: PALETTE[1] }, itemStyle: { color: PALETTE[1] } },
      ],
    };
  }, [curve]);
  const m = backtest.metrics;
  const b = backtest.benchmark;
  const last = curve[curve.length - 1];
  return (
    <>
      <Section title="Equity">
        {curve.length === 0 ? <Empty>This back-test stored no equity curve.</Empty> : (
          <div class="charts" data-testid="equity-charts" data-points={curve.length}>
            <EChart
              title={`Equity against buy-and-hold: ${curve.length} periods, ending at ${formatNumber(last.equity, 6)} (strategy) and ${formatNumber(last.benchmark, 6)} (buy and hold)`}
              option={equity} height={320} testId="equity-chart"
            />
            <EChart title={`Drawdown: the fall below the running peak (largest ${percent(m?.maxDrawdown)} for the strategy, ${percent(b?.maxDrawdown)} for buy and hold)`} option={drawdown} height={320} testId="drawdown-chart" />
          </div>
        )}
      </Section>
      {m && (
        <Section title="Figures">
          <table class="figures">
            <caption class="visually-hidden">The strategy's figures beside buy-and-hold's</caption>
            <thead><tr><th scope="col">Figure</th><th scope="col" class="num">Strategy</th><th scope="col" class="num">Buy and hold</th></tr></thead>
            <tbody>
              <FigureRow label="Total return" strategy={percent(m.totalReturn)} hold={percent(b?.totalReturn)} />
              <FigureRow label="CAGR" strategy={percent(m.cagr)} hold={percent(b?.cagr)} />
              <FigureRow label="Volatility (annualised)" strategy={percent(m.volatility)} hold={percent(b?.volatility)} />
              <FigureRow label="Sharpe" strategy={formatNumber(m.sharpe, 3)} hold={formatNumber(b?.sharpe, 3)} />
              <FigureRow label="Sortino" strategy={formatNumber(m.sortino, 3)} hold={formatNumber(b?.sortino, 3)} />
              <FigureRow label="Max drawdown" strategy={percent(m.maxDrawdown)} hold={percent(b?.maxDrawdown)} />
              <FigureRow label="Longest drawdown (periods)" strategy={formatNumber(m.maxDrawdownPeriods)} hold={formatNumber(b?.maxDrawdownPeriods)} />
              <FigureRow label="Calmar" strategy={formatNumber(m.calmar, 3)} hold={formatNumber(b?.calmar, 3)} />
              <FigureRow label="Hit rate" strategy={percent(m.hitRate)} hold="—" />
              <FigureRow label="Trades (position changes)" strategy={formatNumber(m.trades)} hold="—" />
              <FigureRow label="Turnover per year" strategy={formatNumber(m.turnover, 3)} hold="—" />
              <FigureRow label="Periods per year" strategy={formatNumber(m.periodsPerYear, 3)} hold={formatNumber(m.periodsPerYear, 3)} />
            </tbody>
          </table>
        </Section>
      )}
      <TradesTable id={backtest.id} />
    </>
  );
}

function FigureRow({ label, strategy, hold }: { label: string; strategy: string; hold: string }) {
  return <tr><th scope="row">{label}</th><td class="num">{strategy}</td><td class="num">{hold}</td></tr>;
}

function TradesTable({ id }: { id: string }) {
  const pages = useCursorPages(id);
  const { data, error, loading } = useQuery(BacktestTradesDocument, { id, first: TRADES_PAGE, after: pages.after });
  const page = data?.backtest?.trades;
  const offset = pages.depth * TRADES_PAGE;
  return (
    <Section title="Trades">
      <ErrorBox error={error} />
      {loading && !page && <Loading what="trades" />}
      {page && <p class="muted" data-testid="trade-count" data-count={page.totalCount}>{page.totalCount} position {page.totalCount === 1 ? 'change' : 'changes'}{page.totalCount > 0 ? `; ${offset + 1} to ${offset + page.items.length} shown` : ''}.</p>}
      {page && page.totalCount === 0 && <Empty>No trades: the strategy never changed its position (try a lower entryThreshold).</Empty>}
      {page && page.items.length > 0 && (
        <table data-testid="trades">
          <caption class="visually-hidden">Trades, oldest first</caption>
          <thead><tr><th scope="col" class="num">#</th><th scope="col">At</th><th scope="col" class="num">Position after</th><th scope="col" class="num">Price</th><th scope="col" class="num">Predicted return</th><th scope="col" class="num">Cost</th></tr></thead>
          <tbody>
            {page.items.map((t, i) => (
              <tr key={t.at + i}>
                <td class="num">{offset + i + 1}</td>
                <td>{formatTime(t.at)}</td>
                <td class="num">{formatNumber(t.position)}</td>
                <td class="num">{formatNumber(t.price, 6)}</td>
                <td class="num">{percent(t.predictedReturn)}</td>
                <td class="num">{formatNumber(t.cost, 4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} pageInfo={page} labels={['Previous trades', 'Next trades']} />
    </Section>
  );
}

function CreditResults({ backtest }: { backtest: Backtest }) {
  const curve = backtest.thresholdCurve ?? [];
  const best = backtest.bestThreshold;
  const option = useMemo<ChartOption>(() => ({
    grid: { left: 80, right: 70, top: 40, bottom: 45 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', min: 0, max: 1, name: 'score threshold', nameLocation: 'middle', nameGap: 28 },
    yAxis: [{ type: 'value', name: 'expected profit' }, { type: 'value', name: 'rate', min: 0, max: 1 }],
    series: [
      {
        type: 'line', name: 'expected profit', showSymbol: false, data: curve.map((p) => [p.threshold, p.expectedProfit]),
        markLine: best ? { symbol: 'none', label: { formatter: `best ${best.threshold}` }, lineStyle: { type: 'dashed' }, data: [{ xAxis: best.threshold }] } : undefined,
      },
      { type: 'line', name: 'approval rate', yAxisIndex: 1, showSymbol: false, data: curve.map((p) => [p.threshold, p.approvalRate]) },
      { type: 'line', name: 'bad rate', yAxisIndex: 1, showSymbol: false, data: curve.map((p) => [p.threshold, p.badRate]) },
    ],
  }), [curve, best]);
  return (
    <Section title="Threshold curve">
      {best && (
        <Facts items={[
          ['Best threshold', formatNumber(best.threshold)],
          ['Expected profit there', formatNumber(best.expectedProfit)],
          ['Approval rate there', percent(best.approvalRate)],
          ['Bad rate among the approved', percent(best.badRate)],
        ]} />
      )}
      {curve.length === 0 ? <Empty>This back-test stored no threshold curve.</Empty> : (
        <EChart title={`Expected profit, approval rate and bad rate over ${curve.length} score thresholds${best ? `; the best is ${best.threshold}` : ''}`} option={option} height={340} testId="threshold-chart" />
      )}
    </Section>
  );
}
