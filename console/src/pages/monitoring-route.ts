/** The environments a model can be monitored in. */
export const ENVIRONMENTS = ['PRODUCTION', 'PREVIEW', 'TEST'] as const;
export type MonitoredEnvironment = (typeof ENVIRONMENTS)[number];

/** `#/monitoring?model=<id>&environment=PRODUCTION`: the monitoring page with a model's reports. */
export function monitoringHref(modelId: string | null, environment: string): string {
  if (!modelId) return '#/monitoring';
  return `#/monitoring?${new URLSearchParams({ model: modelId, environment }).toString()}`;
}
