// The ResourceQuota admission plugin: a write that would take a namespace past one of its
// ResourceQuotas is refused (403 `exceeded quota: ...`), as is a pod that leaves out a
// request or limit a quota counts; what is admitted is charged to each quota's status.used at
// once, by compare-and-swap on the quota, so that concurrent writes cannot together overshoot
// it. The controller-manager's resourcequota controller recounts usage from the objects
// themselves (releasing what deletions and failed writes leave behind).
import { formatUsage, hardOf, missingComputeResources, quotaApplies, usageOf, type Usage } from '../../api/quota.js';
import { parseQuantity } from '../../api/quantity.js';
import { admissionName, forbidden, StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';

export interface QuotaSource {
  /** The namespace's ResourceQuotas, as cached. */
  quotas(namespace: string): KubeObject[];
  /** Writes a quota's status from its current stored copy; `change` may throw to refuse. */
  updateStatus(namespace: string, name: string, change: (quota: KubeObject) => KubeObject): Promise<void>;
}

const MAX_ATTEMPTS = 5;

const parse = (v: string | undefined) => parseQuantity(v) ?? 0;
const show = (names: string[], values: (r: string) => string) => names.map((r) => `${r}=${values(r)}`).join(',');

export class ResourceQuotaAdmission {
  constructor(private readonly source: QuotaSource) {}

  /** Checks and charges a create (no `old`) or an update of an object of `group`/`plural`. */
  async admit(group: string, plural: string, obj: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<void> {
    const namespace = obj.metadata.namespace;
    if (!namespace) return;
    const quotas = this.source.quotas(namespace);
    if (!quotas.length) return;
    const delta: Usage = usageOf(group, plural, obj);
    if (old) for (const [k, v] of usageOf(group, plural, old)) delta.set(k, (delta.get(k) ?? 0) - v);
    const refuse = (why: string) => forbidden(plural, group, admissionName(obj.metadata), why);
    const charged: Array<{ quota: KubeObject; resources: string[] }> = [];
    for (const quota of quotas.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
      if (!quotaApplies(quota, group, plural, obj)) continue;
      const hard = hardOf(quota);
      const name = quota.metadata.name!;
      if (!old && group === '' && plural === 'pods') {
        const missing = missingComputeResources(obj, hard);
        if (missing) throw refuse(`failed quota: ${name}: ${missing}`);
      }
      const resources = [...delta].filter(([k, v]) => v > 0 && k in hard).map(([k]) => k).sort();
      if (!resources.length) continue;
      if (!quota.status?.hard) throw refuse(`status unknown for quota: ${name}, resources: ${resources.join(',')}`);
      this.check(quota, resources, delta, refuse);
      charged.push({ quota, resources });
    }
    if (dryRun) return;
    for (const { quota, resources } of charged) await this.charge(quota, resources, delta, refuse);
  }

  /** Throws when the quota, as given, cannot take `delta` of these resources. */
  private check(quota: KubeObject, resources: string[], delta: Usage, refuse: (why: string) => StatusError): void {
    const hard = { ...hardOf(quota), ...(quota.status?.hard ?? {}) } as Record<string, string>;
    const used = (quota.status?.used ?? {}) as Record<string, string>;
    const exceeded = resources.filter((r) => parse(used[r]) + delta.get(r)! > parse(hard[r]) + 1e-9);
    if (!exceeded.length) return;
    throw refuse(
      `exceeded quota: ${quota.metadata.name}, requested: ${show(exceeded, (r) => formatUsage(r, delta.get(r)!))}, used: ${show(exceeded, (r) => used[r] ?? '0')}, limited: ${show(exceeded, (r) => hard[r]!)}`,
    );
  }

  /** Adds `delta` to the quota's status.used, checked again against the stored copy. */
  private async charge(quota: KubeObject, resources: string[], delta: Usage, refuse: (why: string) => StatusError): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.source.updateStatus(quota.metadata.namespace!, quota.metadata.name!, (current) => {
          this.check(current, resources, delta, refuse);
          const used = { ...((current.status?.used ?? {}) as Record<string, string>) };
          for (const r of resources) used[r] = formatUsage(r, parse(used[r]) + delta.get(r)!);
          return { ...current, status: { ...(current.status ?? {}), used } } as KubeObject;
        });
        return;
      } catch (err) {
        if (err instanceof StatusError && err.code === 409 && attempt < MAX_ATTEMPTS) continue;
        if (err instanceof StatusError && err.code === 404) return; // the quota went meanwhile
        throw err;
      }
    }
  }
}
