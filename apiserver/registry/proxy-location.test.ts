import { describe, expect, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { proxyLocation, splitSchemeNamePort } from './proxy-location.js';
import type { Registry } from './registry.js';

/** A registry holding `objects` (by plural, then namespace/name), enough for proxyLocation. */
function registryOf(objects: Record<string, KubeObject[]>): Registry {
  const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;
  const stores = new Map(Object.entries(objects).map(([plural, list]) => [plural, new Map(list.map((o) => [key(o.metadata.namespace, o.metadata.name!), o]))]));
  const storeFor = (r: { plural: string }) => {
    const held = stores.get(r.plural) ?? new Map<string, KubeObject>();
    const getCached = (ns: string | undefined, name: string) => {
      const obj = held.get(key(ns, name));
      return obj ? { obj } : undefined;
    };
    return {
      getCached,
      get: async (ns: string | undefined, name: string) => {
        const found = getCached(ns, name);
        if (!found) throw new StatusError(404, 'NotFound', `${r.plural} "${name}" not found`);
        return found;
      },
    };
  };
  return { table: { find: (_g: string, _v: string, plural: string) => ({ plural }) }, storeFor } as unknown as Registry;
}

const pod = (name: string, ip: string, ports: number[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'x', ports: ports.map((containerPort) => ({ containerPort })) }] },
  status: { podIP: ip, podIPs: ip ? [{ ip }] : [] },
});

const service = (ports: Array<{ name?: string; port: number }>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns' }, spec: { ports } });

const endpoints = (subsets: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'ns' }, subsets });

const node = (address: string, port = 10250): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  status: { addresses: [{ type: 'InternalIP', address }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
});

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof StatusError)) throw new Error(`expected a Status, got ${String(err)}`);
  return `${err.code} ${err.message}`;
}

describe('splitSchemeNamePort', () => {
  it.each([
    ['web', { scheme: '', name: 'web', port: '' }],
    ['web:8080', { scheme: '', name: 'web', port: '8080' }],
    ['web:http', { scheme: '', name: 'web', port: 'http' }],
    ['https:web:8443', { scheme: 'https', name: 'web', port: '8443' }],
    ['http:web:', { scheme: 'http', name: 'web', port: '' }],
  ])('%s', (id, want) => {
    expect(splitSchemeNamePort(id)).toEqual(want);
  });

  it.each(['', ':80', 'ftp:web:80', 'a:b:c:d', 'https::80'])('refuses %j', (id) => {
    expect(splitSchemeNamePort(id)).toBeUndefined();
  });
});

describe('proxyLocation', () => {
  it("finds a pod at its IP, on the port asked for or its first container's", async () => {
    const registry = registryOf({ pods: [pod('p', '10.0.0.5', [8080, 9090])] });
    expect(await proxyLocation(registry, 'pods', 'ns', 'p')).toEqual({ scheme: 'http', host: '10.0.0.5', port: 8080 });
    expect(await proxyLocation(registry, 'pods', 'ns', 'https:p:8443')).toEqual({ scheme: 'https', host: '10.0.0.5', port: 8443 });
    expect(await proxyLocation(registryOf({ pods: [pod('p', '10.0.0.5')] }), 'pods', 'ns', 'https:p:')).toEqual({ scheme: 'https', host: '10.0.0.5', port: 443 });
  });

  it('refuses a pod whose address is loopback, missing or link-local, and a malformed name', async () => {
    const registry = registryOf({ pods: [pod('lo', '127.0.0.1', [80]), pod('none', ''), pod('meta', '169.254.169.254', [80])] });
    for (const name of ['lo', 'none', 'meta']) expect(await refusal(proxyLocation(registry, 'pods', 'ns', name))).toBe('400 address not allowed');
    expect(await refusal(proxyLocation(registry, 'pods', 'ns', 'lo:0'))).toBe('400 invalid pod request "lo:0"');
    expect(await refusal(proxyLocation(registry, 'pods', 'ns', 'gone'))).toBe('404 pods "gone" not found');
  });

  it("finds a Service's ready pod endpoint for the port asked for, by name or by number", async () => {
    const registry = registryOf({
      pods: [pod('a', '10.0.0.5')],
      services: [service([{ name: 'http', port: 80 }, { name: 'metrics', port: 9100 }])],
      endpoints: [endpoints([{ addresses: [{ ip: '10.0.0.5', targetRef: { kind: 'Pod', name: 'a', namespace: 'ns' } }], ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }] }])],
    });
    expect(await proxyLocation(registry, 'services', 'ns', 'web:http')).toEqual({ scheme: 'http', host: '10.0.0.5', port: 8080 });
    expect(await proxyLocation(registry, 'services', 'ns', 'https:web:9100')).toEqual({ scheme: 'https', host: '10.0.0.5', port: 9100 });
    expect(await refusal(proxyLocation(registry, 'services', 'ns', 'web:81'))).toBe('503 no service port 81 found for service "web"');
    // Two named ports and none asked for: no endpoint port is unnamed (Kubernetes answers the same).
    expect(await refusal(proxyLocation(registry, 'services', 'ns', 'web'))).toBe('503 no endpoints available for service "web"');
  });

  it('passes over endpoints that are not the pod they name: written by hand, stale, or on loopback', async () => {
    const ports = [{ port: 80 }];
    const registry = registryOf({
      pods: [pod('a', '10.0.0.5'), pod('lo', '127.0.0.1')],
      services: [service([{ port: 80 }])],
      endpoints: [
        endpoints([
          { addresses: [{ ip: '10.9.9.9' }], ports },
          { addresses: [{ ip: '10.0.0.6', targetRef: { kind: 'Pod', name: 'a', namespace: 'ns' } }], ports },
          { addresses: [{ ip: '10.0.0.7', targetRef: { kind: 'Node', name: 'a' } }], ports },
          { addresses: [{ ip: '127.0.0.1', targetRef: { kind: 'Pod', name: 'lo', namespace: 'ns' } }], ports },
        ]),
      ],
    });
    expect(await refusal(proxyLocation(registry, 'services', 'ns', 'web'))).toBe('503 no endpoints available for service "web"');
  });

  it("reaches a node's kubelet with its credentials, and any other port plainly, never on loopback", async () => {
    const registry = registryOf({ nodes: [node('10.0.0.2')] });
    expect(await proxyLocation(registry, 'nodes', undefined, 'n1')).toEqual({ scheme: 'https', host: '10.0.0.2', port: 10250, kubelet: true });
    expect(await proxyLocation(registry, 'nodes', undefined, 'http:n1:10250')).toEqual({ scheme: 'https', host: '10.0.0.2', port: 10250, kubelet: true });
    expect(await proxyLocation(registry, 'nodes', undefined, 'n1:9100')).toEqual({ scheme: 'http', host: '10.0.0.2', port: 9100 });
    const local = registryOf({ nodes: [node('127.0.0.1', 10250)] });
    expect(await proxyLocation(local, 'nodes', undefined, 'n1')).toMatchObject({ host: '127.0.0.1', kubelet: true });
    expect(await refusal(proxyLocation(local, 'nodes', undefined, 'n1:2379'))).toBe('400 address not allowed');
  });
});
