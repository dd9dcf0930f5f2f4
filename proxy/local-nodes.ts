// Which nodes' endpoints are "local" to this proxy, for the Local traffic policies. kube-proxy
// runs on exactly one node; here one proxy serves every kubelet of its host (the launcher and
// Compose run several nodes on one machine, sharing its network), so local means this proxy's
// own node and every node at the same InternalIP: traffic to this host reaches them all alike.
import type { Node } from '../api/types/core.js';

const internalIP = (node: Node): string | undefined => node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;

/** What the proxy keeps of a Node: its name and InternalIP (and resourceVersion, which tells the informer it changed). */
export function trimNode(node: Node): Node {
  const ip = internalIP(node);
  return { metadata: { name: node.metadata.name, resourceVersion: node.metadata.resourceVersion }, status: ip ? { addresses: [{ type: 'InternalIP', address: ip }] } : {} } as Node;
}

export class LocalNodes {
  private readonly nodes = new Map<string, string | undefined>();
  private readonly local = new Set<string>();

  constructor(private readonly self: string) {
    this.local.add(self);
  }

  get names(): ReadonlySet<string> {
    return this.local;
  }

  private isLocal(name: string, ip: string | undefined, selfIP: string | undefined): boolean {
    return name === this.self || (ip !== undefined && ip === selfIP);
  }

  /** Records a node as it now is (or its removal); true when the set of local nodes changed. */
  observe(node: Node, deleted = false): boolean {
    const name = node.metadata.name!;
    if (deleted) this.nodes.delete(name);
    else this.nodes.set(name, internalIP(node));
    const selfIP = this.nodes.get(this.self);
    if (name === this.self) return this.recompute(selfIP);
    const now = !deleted && this.isLocal(name, this.nodes.get(name), selfIP);
    if (now === this.local.has(name)) return false;
    if (now) this.local.add(name);
    else this.local.delete(name);
    return true;
  }

  private recompute(selfIP: string | undefined): boolean {
    const before = [...this.local].sort().join(',');
    this.local.clear();
    this.local.add(this.self);
    for (const [name, ip] of this.nodes) if (this.isLocal(name, ip, selfIP)) this.local.add(name);
    return [...this.local].sort().join(',') !== before;
  }
}
