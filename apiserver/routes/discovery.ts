// API discovery, legacy (APIVersions / APIGroupList / APIResourceList) and aggregated
// (apidiscovery.k8s.io/v2), all derived from the resource table.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { groupVersion, type GroupVersionInfo, type ResourceInfo, type ResourceTable } from '../../api/resources.js';
import { noSuchRoute } from '../../api/status.js';
import { wantsAggregatedDiscovery } from '../http/negotiation.js';
import type { AggregatorProxy, RemoteGroupVersion } from '../aggregator/proxy.js';

/**
 * Kubernetes' storageVersionHash: the first 8 bytes of sha256("group/version/Kind") of the
 * version objects are stored in, base64. Clients (the storage version migrator, kubectl's
 * discovery consumers) compare it to see that the stored version changed.
 */
export function storageVersionHash(stored: { group: string; version: string; kind: string }): string {
  return createHash('sha256').update(`${stored.group}/${stored.version}/${stored.kind}`).digest().subarray(0, 8).toString('base64');
}

function apiResource(r: ResourceInfo, stored: ResourceInfo | undefined) {
  const out: Record<string, unknown> = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (stored) out.storageVersionHash = storageVersionHash(stored);
  return out;
}

function apiResourceList(gv: GroupVersionInfo, storedVersionOf: (r: ResourceInfo) => ResourceInfo | undefined) {
  const resources: Record<string, unknown>[] = [];
  for (const r of gv.resources) {
    resources.push(apiResource(r, storedVersionOf(r)));
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) sub.group = s.group;
      if (s.version !== undefined) sub.version = s.version;
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(gv), resources };
}

function discoveryResource(r: ResourceInfo) {
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

function groupNames(groupVersions: GroupVersionInfo[]): string[] {
  return [...new Set(groupVersions.filter((g) => g.group).map((g) => g.group))];
}

function aggregated(groupVersions: GroupVersionInfo[], version: 'v2' | 'v2beta1', legacy: boolean) {
  const groups = legacy ? [''] : groupNames(groupVersions);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g ? { name: g } : {},
      versions: groupVersions
        .filter((gv) => gv.group === g)
        .map((gv) => ({ version: gv.version, resources: gv.resources.map(discoveryResource), freshness: 'Current' })),
    })),
  };
}

function sendAggregated(reply: FastifyReply, version: 'v2' | 'v2beta1', body: unknown) {
  // Sent as a Buffer so fastify keeps the Content-Type verbatim (it re-quotes JSON types otherwise).
  return reply
    .header('Content-Type', `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`)
    .header('Vary', 'Accept')
    .send(Buffer.from(JSON.stringify(body)));
}

/** A remote group version (from its server's discovery) in the shape the documents are built from. */
function remoteInfo(gv: RemoteGroupVersion): GroupVersionInfo {
  return {
    group: gv.group,
    version: gv.version,
    resources: gv.resources.map((r) => ({
      group: gv.group,
      version: gv.version,
      kind: r.kind,
      plural: r.name,
      singular: r.singularName || r.kind.toLowerCase(),
      namespaced: r.namespaced,
      verbs: r.verbs as ResourceInfo['verbs'],
      shortNames: r.shortNames ?? [],
      categories: r.categories ?? [],
      subresources: [],
      columns: [],
      storage: `${gv.group}/${r.name}`,
      storageVersion: true,
      module: { group: gv.group, version: gv.version, kind: r.kind, plural: r.name },
    })),
  };
}

export async function discoveryRoutes(app: FastifyInstance, opts: { serverAddress: () => string; table: ResourceTable; aggregator: AggregatorProxy }): Promise<void> {
  // Read at every request: custom resources and aggregated APIs come and go.
  const gvs = () => [...opts.table.groupVersions(), ...opts.aggregator.remoteGroupVersions().map(remoteInfo)];
  app.get('/api', async (req: FastifyRequest, reply) => {
    const agg = wantsAggregatedDiscovery(req.headers.accept);
    if (agg) return sendAggregated(reply, agg, aggregated(gvs(), agg, true));
    return reply.header('Vary', 'Accept').send({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: opts.serverAddress() }],
    });
  });

  app.get('/apis', async (req, reply) => {
    const agg = wantsAggregatedDiscovery(req.headers.accept);
    if (agg) return sendAggregated(reply, agg, aggregated(gvs(), agg, false));
    return reply.header('Vary', 'Accept').send({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groupNames(gvs()).map((name) => {
        const versions = gvs().filter((gv) => gv.group === name).map((gv) => ({ groupVersion: groupVersion(gv), version: gv.version }));
        return { name, versions, preferredVersion: versions[0] };
      }),
    });
  });

  // Served resources only: an aggregated API's own server says what it stores.
  const storedVersionOf = (r: ResourceInfo) => opts.table.all().find((x) => x.storage === r.storage && x.storageVersion);
  app.get('/api/v1', async () => apiResourceList(gvs().find((g) => g.group === '' && g.version === 'v1')!, storedVersionOf));

  app.get('/apis/:group', async (req) => {
    const { group } = req.params as { group: string };
    const versions = gvs().filter((gv) => gv.group === group).map((gv) => ({ groupVersion: groupVersion(gv), version: gv.version }));
    if (versions.length === 0) throw noSuchRoute();
    return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
  });

  app.get('/apis/:group/:version', async (req, reply) => {
    const { group, version } = req.params as { group: string; version: string };
    const backend = opts.aggregator.backendFor(group, version);
    if (backend) return opts.aggregator.proxy(req, reply, backend);
    const gv = gvs().find((g) => g.group === group && g.version === version);
    if (!gv) throw noSuchRoute();
    return apiResourceList(gv, storedVersionOf);
  });
}
