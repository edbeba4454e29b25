// A compact Grafana dashboard for Synapse, shipped as a ConfigMap the Grafana sidecar of
// kube-prometheus-stack picks up by its label (grafana_dashboard: "1"). Series come from the
// synapse PodMonitor (main process and workers; `pod` tells them apart).
import { labels, type Obj } from '../lib.ts';

const DS = { type: 'prometheus', uid: '${datasource}' };

interface Panel { title: string; unit: string; exprs: Array<[string, string]> }

const PANELS: Panel[] = [
  { title: 'Client/federation request rate', unit: 'reqps', exprs: [['sum by (pod) (rate(synapse_http_server_requests_received_total{namespace="$namespace"}[5m]))', '{{pod}}']] },
  { title: '5xx responses', unit: 'reqps', exprs: [['sum by (pod) (rate(synapse_http_server_responses_total{namespace="$namespace",code=~"5.."}[5m]))', '{{pod}}']] },
  { title: 'Events persisted', unit: 'ops', exprs: [['sum(rate(synapse_storage_events_persisted_events_total{namespace="$namespace"}[5m]))', 'events/s']] },
  { title: 'DB transaction time (top 10)', unit: 's', exprs: [['topk(10, sum by (desc) (rate(synapse_storage_transaction_time_sum_total{namespace="$namespace"}[5m])))', '{{desc}}']] },
  {
    title: 'Federation send queues', unit: 'short', exprs: [
      ['sum(synapse_federation_transaction_queue_pending_pdus{namespace="$namespace"})', 'pending PDUs'],
      ['sum(synapse_federation_transaction_queue_pending_edus{namespace="$namespace"})', 'pending EDUs'],
    ],
  },
  { title: 'Process CPU', unit: 'percentunit', exprs: [['rate(process_cpu_seconds_total{namespace="$namespace",container="synapse"}[5m])', '{{pod}}']] },
  { title: 'Process resident memory', unit: 'bytes', exprs: [['process_resident_memory_bytes{namespace="$namespace",container="synapse"}', '{{pod}}']] },
];

export function synapseDashboard(namespace: string): Obj {
  return {
    uid: 'matrix-synapse',
    title: 'Matrix / Synapse',
    tags: ['matrix', 'synapse'],
    timezone: 'browser',
    schemaVersion: 39,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        { name: 'namespace', type: 'custom', query: namespace, current: { text: namespace, value: namespace }, label: 'Namespace' },
      ],
    },
    panels: PANELS.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      datasource: DS,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.exprs.map(([expr, legendFormat], j) => ({ refId: String.fromCharCode(65 + j), datasource: DS, expr, legendFormat })),
    })),
  };
}

export function dashboardConfigMap(namespace: string): Obj {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'grafana-dashboard-synapse', labels: { ...labels('grafana-dashboard'), grafana_dashboard: '1' } },
    data: { 'synapse.json': JSON.stringify(synapseDashboard(namespace), null, 2) + '\n' },
  };
}
