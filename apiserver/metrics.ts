// A few counters in Prometheus text format: requests by verb, resource and code, watches.

export class Metrics {
  private requests = new Map<string, number>();
  watchers = 0;

  countRequest(verb: string, resource: string, code: number): void {
    const key = `verb="${verb}",resource="${resource}",code="${code}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  render(): string {
    const lines = ['# HELP apiserver_request_total Requests by verb, resource and HTTP code.', '# TYPE apiserver_request_total counter'];
    for (const [labels, n] of this.requests) lines.push(`apiserver_request_total{${labels}} ${n}`);
    lines.push('# HELP apiserver_registered_watchers Open watch streams.', '# TYPE apiserver_registered_watchers gauge', `apiserver_registered_watchers ${this.watchers}`);
    return `${lines.join('\n')}\n`;
  }
}
