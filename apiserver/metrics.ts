// A few counters in Prometheus text format: requests by verb, resource and code, watches,
// lost etcd answers resolved by reading back, and the process's memory.
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

export class Metrics {
  private requests = new Map<string, number>();
  watchers = 0;
  /** Set by the app: how many lost etcd write answers were resolved by reading back. */
  resolvedWrites: () => number = () => 0;

  private authnReloads = { success: { count: 0, last: 0 }, failure: { count: 0, last: 0 } };
  private authzReloads = { success: { count: 0, last: 0 }, failure: { count: 0, last: 0 } };

  countAuthenticationConfigReload(status: 'success' | 'failure'): void {
    this.authnReloads[status].count++;
    this.authnReloads[status].last = Date.now() / 1000;
  }

  countAuthorizationConfigReload(status: 'success' | 'failure'): void {
    this.authzReloads[status].count++;
    this.authzReloads[status].last = Date.now() / 1000;
  }

  countRequest(verb: string, resource: string, code: number): void {
    const key = `verb="${verb}",resource="${resource}",code="${code}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  render(): string {
    const lines = ['# HELP apiserver_request_total Requests by verb, resource and HTTP code.', '# TYPE apiserver_request_total counter'];
    for (const [labels, n] of this.requests) lines.push(`apiserver_request_total{${labels}} ${n}`);
    lines.push('# HELP apiserver_registered_watchers Open watch streams.', '# TYPE apiserver_registered_watchers gauge', `apiserver_registered_watchers ${this.watchers}`);
    lines.push(
      '# HELP kubette_etcd_resolved_writes_total Writes whose etcd answer was lost and whose outcome was learned by reading back.',
      '# TYPE kubette_etcd_resolved_writes_total counter',
      `kubette_etcd_resolved_writes_total ${this.resolvedWrites()}`,
    );
    for (const [what, reloads] of [['authentication', this.authnReloads], ['authorization', this.authzReloads]] as const) {
      const name = `apiserver_${what}_config_controller_automatic_reload`;
      lines.push(`# HELP ${name}s_total Reloads of --${what}-config by outcome.`, `# TYPE ${name}s_total counter`);
      for (const [status, r] of Object.entries(reloads)) lines.push(`${name}s_total{status="${status}"} ${r.count}`);
      lines.push(`# HELP ${name}_last_timestamp_seconds When --${what}-config was last reloaded, by outcome.`, `# TYPE ${name}_last_timestamp_seconds gauge`);
      for (const [status, r] of Object.entries(reloads)) if (r.last) lines.push(`${name}_last_timestamp_seconds{status="${status}"} ${r.last}`);
    }
    const heap = getHeapStatistics();
    lines.push(
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
      '# HELP nodejs_heap_size_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      `nodejs_heap_size_used_bytes ${heap.used_heap_size}`,
      '# HELP nodejs_heap_size_limit_bytes V8 heap size limit.',
      '# TYPE nodejs_heap_size_limit_bytes gauge',
      `nodejs_heap_size_limit_bytes ${heap.heap_size_limit}`,
      '# HELP nodejs_external_memory_bytes Memory V8 knows is held outside its heap for its objects (Buffers).',
      '# TYPE nodejs_external_memory_bytes gauge',
      `nodejs_external_memory_bytes ${heap.external_memory}`,
    );
    // Per space (new, old, code, large objects, ...): where the heap's head-room is.
    const spaces = getHeapSpaceStatistics();
    lines.push('# HELP nodejs_heap_space_size_total_bytes Committed size of each V8 heap space.', '# TYPE nodejs_heap_space_size_total_bytes gauge');
    for (const s of spaces) lines.push(`nodejs_heap_space_size_total_bytes{space="${s.space_name}"} ${s.space_size}`);
    lines.push('# HELP nodejs_heap_space_size_used_bytes Bytes in use in each V8 heap space.', '# TYPE nodejs_heap_space_size_used_bytes gauge');
    for (const s of spaces) lines.push(`nodejs_heap_space_size_used_bytes{space="${s.space_name}"} ${s.space_used_size}`);
    return `${lines.join('\n')}\n`;
  }
}
