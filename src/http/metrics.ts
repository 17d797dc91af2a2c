/**
 * Prometheus metrics (prom-client): request counts and latency by route,
 * method and status; the store's connection figures; Node's own defaults.
 * One registry per app so that several apps in one process (tests) do not clash.
 *
 * The request figures are kept here and handed to prom-client only when
 * scraped: its Counter and Histogram build, validate and hash a label set on
 * every observation (~1.5 µs a request, a tenth of the HTTP floor, issue 16);
 * here a request costs one lookup by a string key and a few additions.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { Store } from '../store/store.js';

export interface Metrics {
  registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
  /** One MCP tool call: `tool` a registry name or `unknown`, `outcome` ok or the error code. */
  toolCall(tool: string, outcome: string): void;
}

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The requests of one route, method and status. */
interface Series {
  labels: { route: string; method: string; status: string };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  perBucket: number[];
}

type Value = { labels: Record<string, string | number>; value: number; metricName?: string };

/** A metric whose values prom-client asks for when scraped (the shape its registry reads from its own metrics). */
function scrapedMetric(name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]): Metric {
  const describe = { name, help, type, aggregator: 'sum' as const };
  return { ...describe, get: async () => ({ ...describe, values: values() }) } as unknown as Metric;
}

function requestMetrics(registry: Registry): Pick<Metrics, 'observe'> {
  const series = new Map<string, Series>();
  registry.registerMetric(
    scrapedMetric('ecgrid_http_requests_total', 'HTTP requests answered', 'counter', () => [...series.values()].map((s) => ({ labels: s.labels, value: s.count }))),
  );
  const durationName = 'ecgrid_http_request_duration_seconds';
  registry.registerMetric(
    scrapedMetric(durationName, 'Time from request received to response sent', 'histogram', () =>
      [...series.values()].flatMap((s) => {
        let cumulative = 0;
        const buckets = DURATION_BUCKETS.map((le, i) => ({ labels: { le, ...s.labels }, value: (cumulative += s.perBucket[i]!), metricName: `${durationName}_bucket` }));
        return [
          ...buckets,
          { labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${durationName}_bucket` },
          { labels: s.labels, value: s.sum, metricName: `${durationName}_sum` },
          { labels: s.labels, value: s.count, metricName: `${durationName}_count` },
        ];
      }),
    ),
  );
  return {
    observe(route, method, status, seconds) {
      const key = `${status} ${method} ${route}`;
      let one = series.get(key);
      if (!one) {
        one = { labels: { route, method, status: String(status) }, count: 0, sum: 0, perBucket: new Array<number>(DURATION_BUCKETS.length + 1).fill(0) };
        series.set(key, one);
      }
      one.count++;
      one.sum += seconds;
      let bucket = 0;
      while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
      one.perBucket[bucket]!++;
    },
  };
}

export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ecgrid_' });
  const { observe } = requestMetrics(registry);
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
    observe,
    toolCall(tool, outcome) {
      toolCalls.inc({ tool, outcome });
    },
  };
}
