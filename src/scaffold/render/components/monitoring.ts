// Prometheus Operator objects: scraping Synapse (main + workers) and CNPG, alerts, and a Grafana dashboard.
import type { EnvModel } from '../../model/index.ts';
import { dashboardConfigMap } from './grafana-dashboard.ts';
import { workerResourceName } from './worker-routes.ts';
import { labels, type BaseComponent, type Obj } from '../lib.ts';

export function monitoringBase(env: EnvModel): BaseComponent {
  // A PodMonitor, because no Service may point at a Synapse metrics listener.
  const synapsePods = ['synapse', ...env.workers.map(workerResourceName)];
  const sm: Obj = {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor',
    metadata: { name: 'synapse', labels: labels('synapse') },
    spec: {
      selector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: synapsePods }] },
      podMetricsEndpoints: [{ port: 'metrics', path: '/_synapse/metrics', interval: '30s' }],
    },
  };
  const pm: Obj = {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor',
    metadata: { name: 'synapse-pg', labels: labels('synapse-pg') },
    spec: { selector: { matchLabels: { 'cnpg.io/cluster': 'synapse-pg' } }, podMetricsEndpoints: [{ port: 'metrics' }] },
  };
  const rule: Obj = {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule',
    metadata: { name: 'matrix', labels: labels('matrix-alerts') },
    spec: {
      groups: [{
        name: 'synapse',
        rules: [
          { alert: 'SynapseDown', expr: 'up{job=~"synapse.*"} == 0', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'A Synapse process is not scraped' } },
          { alert: 'SynapseHighErrorRate', expr: 'sum(rate(synapse_http_server_responses_total{code=~"5.."}[5m])) / sum(rate(synapse_http_server_responses_total[5m])) > 0.05', for: '10m', labels: { severity: 'warning' }, annotations: { summary: 'More than 5% of Synapse responses are 5xx' } },
          { alert: 'SynapseEventPersistLag', expr: 'rate(synapse_storage_events_persisted_events_total[5m]) == 0 and on() (sum(rate(synapse_http_server_requests_received_total[5m])) > 1)', for: '15m', labels: { severity: 'warning' }, annotations: { summary: 'Synapse persists no events while serving requests' } },
        ],
      }, {
        name: 'postgres',
        rules: [
          { alert: 'PostgresDown', expr: 'cnpg_collector_up{cluster="synapse-pg"} == 0', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'CNPG instance not up' } },
          { alert: 'PostgresReplicationLag', expr: 'cnpg_pg_replication_lag{cluster="synapse-pg"} > 300', for: '10m', labels: { severity: 'warning' }, annotations: { summary: 'Replica more than 5 minutes behind' } },
        ],
      }],
    },
  };
  return { name: 'monitoring', files: { 'podmonitor-synapse.yaml': [sm], 'podmonitor.yaml': [pm], 'prometheusrule.yaml': [rule], 'dashboard.yaml': [dashboardConfigMap(env.namespace)] } };
}
