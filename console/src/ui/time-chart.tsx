import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TimeSeries {
  label: string;
  values: (number | null)[];
}

/** Colours with at least 3:1 contrast on white (WCAG AA for graphics). */
export const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0f766e', '#a16207', '#be185d'];

/**
 * A live line chart (uPlot: fast enough to redraw on every point). `x` is shared by the series;
 * `time` makes it a time axis (x in seconds). The figure carries the point count for tests and a
 * text summary for screen readers.
 */
export function TimeChart({ title, x, series, time = false, xLabel, height = 260 }: { title: string; x: number[]; series: TimeSeries[]; time?: boolean; xLabel?: string; height?: number }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('|');
  useEffect(() => {
    const element = holder.current!;
    const chart = new uPlot({
      width: Math.max(320, element.clientWidth),
      height,
      scales: { x: { time } },
      axes: [{ label: xLabel }, { size: valueAxisSize }],
      series: [{ label: xLabel ?? (time ? 'time' : 'x') }, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true }))],
    }, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(320, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape, time, height]);
  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  });
  const last = x.length ? series.map((s) => `${s.label} ${formatLast(s.values)}`).join(', ') : 'no points yet';
  return (
    <figure class="chart" data-points={x.length} data-last-x={x.length ? x[x.length - 1] : ''}>
      <figcaption>{title}</figcaption>
      <div ref={holder} role="img" aria-label={`${title}: ${x.length} points; latest ${last}`} />
    </figure>
  );
}

/** Room for the widest value label (uPlot's fixed 50 px clips "11,000"). */
function valueAxisSize(_: uPlot, values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((v) => String(v).length));
  return Math.max(50, longest * 8 + 18);
}

function formatLast(values: (number | null)[]): string {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i]!.toPrecision(4);
  return '—';
}
