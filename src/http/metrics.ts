/**
 * Prometheus metrics (prom-client): request counts and latency by route,
 * method and status; the store's connection figures; Node's own defaults.
 * One registry per app so that several apps in one process (tests) do not clash.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/store.js';

export interface Metrics {
  registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
  /** One MCP tool call: `tool` a registry name or `unknown`, `outcome` ok or the error code. */
  toolCall(tool: string, outcome: string): void;
}

export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ecgrid_' });
  const labelNames = ['route', 'method', 'status'] as const;
  const requests = new Counter({ name: 'ecgrid_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'ecgrid_http_request_duration_seconds',
    help: 'Time from request received to response sent',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const storeGauge = new Gauge({
    name: 'ecgrid_store',
    help: `Database connection figures (${store.dialectName}); label "figure" names it`,
    labelNames: ['figure'],
    registers: [registry],
    collect() {
      for (const [figure, value] of Object.entries(store.stats())) this.set({ figure }, value);
    },
  });
  void storeGauge;
  const toolCalls = new Counter({
    name: 'ecgrid_mcp_tool_calls_total',
    help: 'MCP tools/call requests by tool and outcome (ok or the error code)',
    labelNames: ['tool', 'outcome'],
    registers: [registry],
  });
  return {
    registry,
    observe(route, method, status, seconds) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
    toolCall(tool, outcome) {
      toolCalls.inc({ tool, outcome });
    },
  };
}
