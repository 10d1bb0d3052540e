import http from 'node:http';
import type net from 'node:net';
import { Gauge, type Registry } from 'prom-client';
import { PROMETHEUS_CONTENT_TYPE } from '../services/metrics/registry';

/**
 * A worker's one scrape target: `GET /metrics` serves our prom-client registry followed by the
 * Temporal SDK's own runtime metrics (`temporal_*`). The SDK's Prometheus exporter binds a port of
 * its own (Runtime.install, worker/main.ts); we bind it to a free loopback port and append what it
 * says, so operators scrape one port per worker and the SDK's port is never exposed.
 * `crm_worker_sdk_metrics_up` says whether the SDK's part could be read.
 */
export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

const SDK_TIMEOUT_MS = 2_000;

async function readSdkMetrics(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(SDK_TIMEOUT_MS) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

export async function startWorkerMetricsServer(opts: { host: string; port: number; registry: Registry; sdkMetricsUrl?: string }): Promise<WorkerMetricsServer> {
  const sdkUp = new Gauge({ name: 'crm_worker_sdk_metrics_up', help: "1 when the Temporal SDK's runtime metrics were read for this scrape, else 0.", registers: [opts.registry] });
  const render = async (): Promise<string> => {
    const sdk = opts.sdkMetricsUrl ? await readSdkMetrics(opts.sdkMetricsUrl) : null;
    sdkUp.set(sdk === null ? 0 : 1);
    const ours = await opts.registry.metrics();
    return sdk ? `${ours.endsWith('\n') ? ours : `${ours}\n`}${sdk}` : ours;
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    render().then(
      (body) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
