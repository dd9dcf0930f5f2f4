// Addresses of simulated nodes and their pods. They are loopback addresses (127.64.0.0 -
// 127.127.255.255) on purpose: a packet sent to a simulated pod, through a Service's rules or
// by hand, can never leave the machine. Node i (from 0) owns 127.(64 + i / 256).(i % 256).0/24:
// .1 is the node, .2 to .254 its pods (a node holds at most 253 pods at once).

const FIRST_OCTET2 = 64;
const MAX_NODES = 64 * 256;

export function nodeAddress(index: number): string {
  if (!(index >= 0 && index < MAX_NODES)) throw new Error(`simulated node index ${index} out of range (0-${MAX_NODES - 1})`);
  return `127.${FIRST_OCTET2 + Math.floor(index / 256)}.${index % 256}.1`;
}

/** The pod addresses of one simulated node: lowest free first, given back when the pod goes. */
export class PodAddresses {
  private readonly used = new Map<string, number>();
  private readonly free: number[] = [];
  private next = 2;

  constructor(private readonly nodeIndex: number) {
    nodeAddress(nodeIndex); // range check
  }

  private ip(host: number): string {
    return `127.${FIRST_OCTET2 + Math.floor(this.nodeIndex / 256)}.${this.nodeIndex % 256}.${host}`;
  }

  /** The address of pod `uid`, the same one for as long as it holds it. */
  assign(uid: string): string {
    const have = this.used.get(uid);
    if (have !== undefined) return this.ip(have);
    const host = this.free.length ? this.free.sort((a, b) => a - b).shift()! : this.next;
    if (host === this.next) {
      if (this.next > 254) throw new Error(`simulated node ${nodeAddress(this.nodeIndex)} has no pod address left`);
      this.next++;
    }
    this.used.set(uid, host);
    return this.ip(host);
  }

  /** Claims the address a pod already reports (after a restart of the simulator). */
  adopt(uid: string, ip: string): void {
    const host = Number(ip.split('.')[3]);
    if (this.ip(host) !== ip || this.used.has(uid)) return;
    this.used.set(uid, host);
    const at = this.free.indexOf(host);
    if (at >= 0) this.free.splice(at, 1);
    while (this.next <= host) {
      if (this.next !== host) this.free.push(this.next);
      this.next++;
    }
  }

  release(uid: string): void {
    const host = this.used.get(uid);
    if (host === undefined) return;
    this.used.delete(uid);
    this.free.push(host);
  }

  get size(): number {
    return this.used.size;
  }
}
