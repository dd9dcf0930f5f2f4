// The text of /healthz, /livez and /readyz as Kubernetes' servers write it: "ok" when every
// check passes; with ?verbose, or when one fails, a line per check ([+]name ok, [-]name failed:
// reason withheld, [+]name excluded: ok for those ?exclude= names) and "<endpoint> check
// passed|failed". Shared by the apiserver and the components' secure ports.

export interface CheckOutcome {
  name: string;
  /** Why it failed; undefined when it passed. */
  error?: string;
}

export interface HealthAnswer {
  failed: boolean;
  text: string;
}

/** `endpoint`: healthz, livez or readyz; `outcomes` in the endpoint's order, excluded checks left out. */
export function healthAnswer(endpoint: string, outcomes: CheckOutcome[], excluded: string[], verbose: boolean): HealthAnswer {
  const failed = outcomes.some((o) => o.error !== undefined);
  if (!failed && !verbose) return { failed, text: 'ok' };
  const lines = [
    ...outcomes.map((o) => (o.error !== undefined ? `[-]${o.name} failed: reason withheld` : `[+]${o.name} ok`)),
    ...excluded.map((name) => `[+]${name} excluded: ok`),
  ];
  return { failed, text: `${lines.join('\n')}\n${endpoint} check ${failed ? 'failed' : 'passed'}\n` };
}

/** The ?exclude= names of a query (repeated or not) that are checks of this endpoint. */
export function excludedChecks(exclude: string | string[] | undefined, names: readonly string[]): string[] {
  const asked = ([] as string[]).concat(exclude ?? []);
  return names.filter((n) => asked.includes(n));
}

/** One check's own endpoint (/readyz/<check>): "ok", or 500 with why. */
export function singleCheckAnswer(error: string | undefined): { code: 200 | 500; text: string } {
  return error === undefined ? { code: 200, text: 'ok' } : { code: 500, text: `internal server error: ${error}\n` };
}
