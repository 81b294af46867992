/**
 * `npm run stack`: the compose stack on a machine without Docker (see
 * scripts/local-stack.ts), on compose's ports, until Ctrl-C.
 */
import { join } from 'node:path';
import { COMPOSE_PORTS, ROOT, startLocalStack } from './local-stack.js';

const dir = join(ROOT, '.stack');
console.log('starting the fleetwatch stack without Docker (logs in .stack/logs) …');
const stack = await startLocalStack({ dir, ports: COMPOSE_PORTS });
console.log(`
fleetwatch is running:
  Prometheus     ${stack.urls.prometheus}   (alerts: ${stack.urls.prometheus}/alerts)
  Alertmanager   ${stack.urls.alertmanager}
  Local pager    ${stack.urls.pager}   (pages and tickets; set PAGERDUTY_ROUTING_KEY to page for real)
  Simulator      ${stack.urls.simulator}/faults   (npx fleetwatch fault list)
  Exporters      ${stack.urls.collectors}
                 ${stack.urls.connectors}
                 ${stack.urls.healthsync}
                 ${stack.urls.butler}
  OpAMP          ${stack.urls.opamp}

Grafana has no Debian package, so it is not started here: use Prometheus's own
pages above, or docker compose up for the dashboards. The OpenTelemetry
Collector is not started either; the simulator sends OTLP straight to the
connectors exporter.

Ctrl-C stops everything.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('\nstopping …');
    void stack.stop().then(() => process.exit(0));
  });
}
