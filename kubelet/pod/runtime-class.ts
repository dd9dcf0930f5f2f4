// Which runtime handler a pod runs with: its RuntimeClass's `handler` (none named: the
// runtime's default). Classes are read from the API as pods need them and kept for a minute;
// the handler cannot change while a class exists, only with the class deleted and made again.
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { ApiClient } from '../../client/api-client.js';
import { resource } from '../../client/rest.js';

const runtimeClasses = resource('node.k8s.io/v1/runtimeclasses');
const KEEP_MS = 60_000;

export class RuntimeHandlers {
  private readonly known = new Map<string, { handler: string; at: number }>();

  constructor(private readonly client: ApiClient) {}

  /** The pod's handler; throws when its class cannot be read (the sandbox is not made then). */
  async of(pod: Pod): Promise<string | undefined> {
    const name = (pod.spec as { runtimeClassName?: string | null }).runtimeClassName;
    if (!name) return undefined;
    const hit = this.known.get(name);
    if (hit && Date.now() - hit.at < KEEP_MS) return hit.handler;
    let rc: KubeObject & { handler?: string };
    try {
      rc = await this.client.get<KubeObject & { handler?: string }>(runtimeClasses, undefined, name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) throw new Error(`RuntimeClass "${name}" not found`);
      throw err;
    }
    const handler = rc.handler ?? '';
    this.known.set(name, { handler, at: Date.now() });
    return handler;
  }
}
