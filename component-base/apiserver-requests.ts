// What the delegating parts here (token and access reviews, the client CA lookup) need of an
// apiserver connection: one JSON request. Components pass their client (client/ApiClient has
// this shape); component-base does not depend on client/.

export interface ApiserverRequests {
  request<T>(method: 'GET' | 'POST', path: string, opts?: { body?: unknown }): Promise<T>;
}
