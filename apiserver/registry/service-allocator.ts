// Cluster IPs and node ports (health check node ports too) for Services. Each allocated value is an etcd key
// (<prefix>/kubette.io/allocations/serviceips/<ip>, .../nodeports/<port>) created in a
// transaction only if absent, so two apiservers, or two requests, can never hand out the
// same value, and allocations survive restarts. A requested value is honoured if it is in
// range and free (else 422); dynamic cluster IPs come from the upper part of the range,
// leaving the lower band for requested ones (as Kubernetes does). A repair pass frees
// allocations no Service holds (after a crash between allocating and creating).
import { cidrContains, nthAddress, parseCidr, parseIPv4, type Cidr } from '../../api/ip.js';
import { needsHealthCheckNodePort } from '../../api/kinds/core/service.js';
import type { Service } from '../../api/types/core.js';
import { FieldErrors } from '../../api/validation/field-errors.js';
import type { KVStore } from '../storage/kv.js';

export interface ServiceAllocatorOptions {
  serviceClusterIPRange: string;
  /** "30000-32767" */
  serviceNodePortRange: string;
}

export interface UpdatePlan {
  commit(): Promise<void>;
  undo(): Promise<void>;
}

interface Owner {
  namespace: string;
  name: string;
  uid: string;
  /** When it was allocated (ms), for the repair pass's grace period. */
  at?: number;
}

export function parsePortRange(text: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) throw new Error(`invalid port range "${text}"`);
  return [lo, hi];
}

const usesClusterIP = (svc: Service) => (svc.spec?.type ?? 'ClusterIP') !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
const usesNodePorts = (svc: Service) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
/** A load balancer may do without node ports (allocateLoadBalancerNodePorts: false): only requested ones are taken. */
const allocatesNodePorts = (svc: Service) => svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false);
const healthCheckPort = (svc: Service) => (needsHealthCheckNodePort(svc.spec) && svc.spec?.healthCheckNodePort ? svc.spec.healthCheckNodePort : undefined);

export class ServiceAllocator {
  readonly cidr: Cidr;
  readonly ports: [number, number];

  constructor(
    private readonly etcd: KVStore,
    private readonly prefix: string,
    opts: ServiceAllocatorOptions,
  ) {
    this.cidr = parseCidr(opts.serviceClusterIPRange);
    this.ports = parsePortRange(opts.serviceNodePortRange);
  }

  /** The `kubernetes` Service's address: the first one of the range. */
  get apiserverServiceIP(): string {
    return nthAddress(this.cidr, 1);
  }

  private ipKey(ip: string): string {
    return `${this.prefix}/kubette.io/allocations/serviceips/${ip}`;
  }

  private portKey(port: number): string {
    return `${this.prefix}/kubette.io/allocations/nodeports/${port}`;
  }

  private async claim(key: string, owner: Owner): Promise<boolean> {
    return (await this.etcd.create(key, Buffer.from(JSON.stringify({ ...owner, at: Date.now() })))).ok;
  }

  /** Frees `key` if `uid` holds it. */
  private async release(key: string, uid: string): Promise<void> {
    const kv = await this.etcd.get(key);
    if (!kv) return;
    const owner = JSON.parse(kv.value.toString()) as Owner;
    if (owner.uid === uid) await this.etcd.delete(key, kv.modRevision);
  }

  private async isFree(key: string): Promise<boolean> {
    return !(await this.etcd.get(key));
  }

  private async allocateIP(owner: Owner, requested: string | undefined, dryRun: boolean, errs: FieldErrors): Promise<string | undefined> {
    if (requested) {
      const n = parseIPv4(requested);
      if (n === undefined) {
        errs.invalid('spec.clusterIPs[0]', requested, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
        return undefined;
      }
      if (!cidrContains(this.cidr, requested) || n === this.cidr.base || n === this.cidr.base + this.cidr.size - 1) {
        errs.invalid('spec.clusterIPs', requested, `failed to allocate IP ${requested}: provided IP is not in the valid range. The range of valid IPs is ${this.cidr.text}`);
        return undefined;
      }
      const ok = dryRun ? await this.isFree(this.ipKey(requested)) : await this.claim(this.ipKey(requested), owner);
      if (!ok) errs.invalid('spec.clusterIPs', requested, `failed to allocate IP ${requested}: provided IP is already allocated`);
      return ok ? requested : undefined;
    }
    const usable = this.cidr.size - 2;
    // The lower band is for requested IPs (like 10.96.0.10 for DNS); dynamic ones start above it.
    const band = Math.min(Math.max(16, Math.floor(usable / 16)), 256);
    const tryOffsets = (from: number, to: number) => {
      const out: number[] = [];
      for (let i = 0; i < 64 && to > from; i++) out.push(from + Math.floor(Math.random() * (to - from)));
      return out;
    };
    for (const offset of [...tryOffsets(band + 1, usable + 1), ...tryOffsets(2, band + 1)]) {
      const ip = nthAddress(this.cidr, offset);
      if (dryRun ? await this.isFree(this.ipKey(ip)) : await this.claim(this.ipKey(ip), owner)) return ip;
    }
    // Nearly full: walk the whole range once.
    for (let offset = 2; offset <= usable; offset++) {
      const ip = nthAddress(this.cidr, offset);
      if (dryRun ? await this.isFree(this.ipKey(ip)) : await this.claim(this.ipKey(ip), owner)) return ip;
    }
    errs.invalid('spec.clusterIPs', '', `failed to allocate a serviceIP: range is full`);
    return undefined;
  }

  private async allocatePort(owner: Owner, requested: number | undefined, field: string, dryRun: boolean, errs: FieldErrors): Promise<number | undefined> {
    const [lo, hi] = this.ports;
    if (requested !== undefined) {
      if (requested < lo || requested > hi) {
        errs.invalid(field, requested, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`);
        return undefined;
      }
      const ok = dryRun ? await this.isFree(this.portKey(requested)) : await this.claim(this.portKey(requested), owner);
      if (!ok) errs.invalid(field, requested, 'provided port is already allocated');
      return ok ? requested : undefined;
    }
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = lo + ((start + i) % span);
      if (dryRun ? await this.isFree(this.portKey(port)) : await this.claim(this.portKey(port), owner)) return port;
    }
    errs.invalid(field, '', 'failed to allocate a nodePort: range is full');
    return undefined;
  }

  private owner(svc: Service): Owner {
    return { namespace: svc.metadata.namespace!, name: svc.metadata.name!, uid: svc.metadata.uid! };
  }

  /**
   * Fills in the cluster IP and node ports of a Service about to be created (keeping requested
   * ones); returns how to give them back if the create does not happen.
   */
  async beforeCreate(svc: Service, dryRun: boolean): Promise<() => Promise<void>> {
    const owner = this.owner(svc);
    const claimed: string[] = [];
    const errs = new FieldErrors();
    const spec = (svc.spec ??= {});
    if (usesClusterIP(svc)) {
      const requested = spec.clusterIP || spec.clusterIPs?.[0] || undefined;
      const ip = await this.allocateIP(owner, requested, dryRun, errs);
      if (ip) {
        if (!dryRun) claimed.push(this.ipKey(ip));
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      }
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    }
    if (spec.type !== 'ExternalName') {
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
    if (usesNodePorts(svc)) {
      const taken = new Map<number, number>();
      for (const [i, p] of (spec.ports ?? []).entries()) {
        // One Service may use one node port for TCP and UDP alike.
        if (p.nodePort !== undefined && taken.has(p.nodePort)) continue;
        if (p.nodePort === undefined && !allocatesNodePorts(svc)) continue;
        const port = await this.allocatePort(owner, p.nodePort, `spec.ports[${i}].nodePort`, dryRun, errs);
        if (port !== undefined) {
          if (!dryRun) claimed.push(this.portKey(port));
          p.nodePort = port;
          taken.set(port, i);
        }
      }
    }
    if (needsHealthCheckNodePort(spec)) {
      const port = await this.allocatePort(owner, spec.healthCheckNodePort || undefined, 'spec.healthCheckNodePort', dryRun, errs);
      if (port !== undefined) {
        if (!dryRun) claimed.push(this.portKey(port));
        spec.healthCheckNodePort = port;
      }
    }
    const undo = async () => {
      for (const key of claimed) await this.release(key, owner.uid);
    };
    if (!errs.empty) {
      await undo();
      errs.throwIfAny('Service', '', svc.metadata.name!);
    }
    return undo;
  }

  /**
   * An update keeps allocated values the client left out, refuses a changed cluster IP, and
   * allocates or frees what a type or port change calls for (freeing only once committed).
   */
  async beforeUpdate(next: Service, prev: Service, dryRun: boolean): Promise<UpdatePlan> {
    const owner = this.owner(prev);
    const errs = new FieldErrors();
    const spec = (next.spec ??= {});
    const old = prev.spec ?? {};
    const claimed: string[] = [];
    const toFree: string[] = [];

    if (usesClusterIP(next) && usesClusterIP(prev)) {
      if (!spec.clusterIP) spec.clusterIP = old.clusterIP;
      if (!spec.clusterIPs?.length) spec.clusterIPs = old.clusterIPs ?? (old.clusterIP ? [old.clusterIP] : []);
      if (spec.clusterIP !== old.clusterIP) errs.invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set');
    } else if (usesClusterIP(next) && !usesClusterIP(prev)) {
      if (prev.spec?.clusterIP === 'None') errs.invalid('spec.clusterIPs[0]', spec.clusterIP ?? '', 'may not change once set');
      else {
        const ip = await this.allocateIP(owner, spec.clusterIP || undefined, dryRun, errs);
        if (ip) {
          if (!dryRun) claimed.push(this.ipKey(ip));
          spec.clusterIP = ip;
          spec.clusterIPs = [ip];
        }
      }
    } else if (!usesClusterIP(next) && usesClusterIP(prev)) {
      if (spec.clusterIP === 'None') errs.invalid('spec.clusterIPs[0]', 'None', 'may not change once set');
      else {
        if (old.clusterIP) toFree.push(this.ipKey(old.clusterIP));
        delete spec.clusterIP;
        delete spec.clusterIPs;
      }
    } else if (old.clusterIP === 'None' && !spec.clusterIP) {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    }
    if (spec.type !== 'ExternalName') {
      spec.ipFamilies ??= old.ipFamilies ?? ['IPv4'];
      spec.ipFamilyPolicy ??= old.ipFamilyPolicy ?? 'SingleStack';
    }

    const oldPorts = new Set<number>(usesNodePorts(prev) ? (old.ports ?? []).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number') : []);
    const keep = new Set<number>();
    if (usesNodePorts(next)) {
      for (const [i, p] of (spec.ports ?? []).entries()) {
        if (p.nodePort === undefined) {
          // Left out: keep the node port this port had (matched by name, else port and protocol).
          const was = (old.ports ?? []).find((o) => (p.name && o.name === p.name) || (o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP')));
          if (was?.nodePort !== undefined && usesNodePorts(prev)) p.nodePort = was.nodePort;
        }
        if (p.nodePort !== undefined && (oldPorts.has(p.nodePort) || keep.has(p.nodePort))) {
          keep.add(p.nodePort);
          continue;
        }
        if (p.nodePort === undefined && !allocatesNodePorts(next)) continue;
        const port = await this.allocatePort(owner, p.nodePort, `spec.ports[${i}].nodePort`, dryRun, errs);
        if (port !== undefined) {
          if (!dryRun) claimed.push(this.portKey(port));
          p.nodePort = port;
          keep.add(port);
        }
      }
    } else {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
    for (const port of oldPorts) if (!keep.has(port)) toFree.push(this.portKey(port));

    // The health check node port: kept while the Service needs one (it may not change),
    // allocated when it comes to need one, freed when it no longer does.
    const oldCheck = healthCheckPort(prev);
    if (needsHealthCheckNodePort(spec)) {
      if (oldCheck !== undefined) {
        spec.healthCheckNodePort ??= oldCheck;
        if (spec.healthCheckNodePort !== oldCheck) errs.forbidden('spec.healthCheckNodePort', 'field is immutable');
      } else {
        const port = await this.allocatePort(owner, spec.healthCheckNodePort || undefined, 'spec.healthCheckNodePort', dryRun, errs);
        if (port !== undefined) {
          if (!dryRun) claimed.push(this.portKey(port));
          spec.healthCheckNodePort = port;
        }
      }
    } else if (oldCheck !== undefined && !keep.has(oldCheck)) {
      toFree.push(this.portKey(oldCheck));
    }

    const undo = async () => {
      for (const key of claimed) await this.release(key, owner.uid);
    };
    if (!errs.empty) {
      await undo();
      errs.throwIfAny('Service', '', next.metadata.name!);
    }
    return {
      undo,
      commit: async () => {
        if (dryRun) return;
        for (const key of toFree) await this.release(key, owner.uid);
      },
    };
  }

  /** The Service is gone: its cluster IP and node ports are free again. */
  async afterRemove(svc: Service): Promise<void> {
    const uid = svc.metadata.uid!;
    if (usesClusterIP(svc) && svc.spec?.clusterIP) await this.release(this.ipKey(svc.spec.clusterIP), uid);
    if (usesNodePorts(svc)) for (const p of svc.spec?.ports ?? []) if (p.nodePort) await this.release(this.portKey(p.nodePort), uid);
    const check = healthCheckPort(svc);
    if (check) await this.release(this.portKey(check), uid);
  }

  /**
   * Frees allocations no Service holds (older than `graceMs`, so a create in flight keeps its
   * values), and records allocations for Services holding values without one. `services` are
   * all Services, live.
   */
  async repair(services: Service[], graceMs = 60_000): Promise<{ freed: number; recorded: number }> {
    let freed = 0;
    let recorded = 0;
    const held = new Set<string>();
    for (const svc of services) {
      if (usesClusterIP(svc) && svc.spec?.clusterIP) held.add(this.ipKey(svc.spec.clusterIP));
      if (usesNodePorts(svc)) for (const p of svc.spec?.ports ?? []) if (p.nodePort) held.add(this.portKey(p.nodePort));
      const check = healthCheckPort(svc);
      if (check) held.add(this.portKey(check));
    }
    for (const kind of ['serviceips', 'nodeports']) {
      const { kvs } = await this.etcd.range(`${this.prefix}/kubette.io/allocations/${kind}/`);
      for (const kv of kvs) {
        if (held.has(kv.key)) continue;
        const owner = JSON.parse(kv.value.toString()) as Owner;
        if (Date.now() - (owner.at ?? 0) < graceMs) continue;
        if ((await this.etcd.delete(kv.key, kv.modRevision)).ok) freed++;
      }
    }
    for (const svc of services) {
      const owner = this.owner(svc);
      if (usesClusterIP(svc) && svc.spec?.clusterIP && (await this.claim(this.ipKey(svc.spec.clusterIP), owner))) recorded++;
      if (usesNodePorts(svc)) for (const p of svc.spec?.ports ?? []) if (p.nodePort && (await this.claim(this.portKey(p.nodePort), owner))) recorded++;
      const check = healthCheckPort(svc);
      if (check && (await this.claim(this.portKey(check), owner))) recorded++;
    }
    return { freed, recorded };
  }
}
