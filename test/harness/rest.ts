// Plain REST calls against a test server, as curl makes them: the status, the text, and the
// JSON when the body is JSON.
export interface RestAnswer {
  status: number;
  /** Test code reads arbitrary shapes out of answers. */
  json: any;
  text: string;
  headers: Headers;
}

/** A `call(method, path, body?, contentType?, headers?)` against the server `base()` names. */
export function restCaller(base: () => string) {
  return async (method: string, path: string, body?: unknown, contentType = 'application/json', headers: Record<string, string> = {}): Promise<RestAnswer> => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'Content-Type': contentType } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
}
