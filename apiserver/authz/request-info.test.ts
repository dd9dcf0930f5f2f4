import { describe, expect, it } from 'vitest';
import { requestAttributes } from './request-info.js';

const r = (method: string, path: string, watch?: string) => {
  const a = requestAttributes(method, path, watch);
  return a.resourceRequest ? [a.verb, a.apiGroup, a.apiVersion, a.namespace, a.resource, a.subresource, a.name].join('|') : `non-resource ${a.verb} ${a.path}`;
};

describe('request attributes, as Kubernetes reads them', () => {
  it.each([
    ['GET', '/api/v1/namespaces/ns/pods', undefined, 'list||v1|ns|pods||'],
    ['GET', '/api/v1/namespaces/ns/pods', 'true', 'watch||v1|ns|pods||'],
    ['GET', '/api/v1/namespaces/ns/pods', '0', 'list||v1|ns|pods||'],
    ['GET', '/api/v1/watch/namespaces/ns/pods', undefined, 'watch||v1|ns|pods||'],
    ['GET', '/api/v1/namespaces/ns/pods/web', undefined, 'get||v1|ns|pods||web'],
    ['GET', '/api/v1/namespaces/ns/pods/web/log', undefined, 'get||v1|ns|pods|log|web'],
    ['POST', '/api/v1/namespaces/ns/pods/web/exec', undefined, 'create||v1|ns|pods|exec|web'],
    ['PUT', '/apis/apps/v1/namespaces/ns/deployments/web/scale', undefined, 'update|apps|v1|ns|deployments|scale|web'],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/web', undefined, 'patch|apps|v1|ns|deployments||web'],
    ['DELETE', '/api/v1/namespaces/ns/configmaps', undefined, 'deletecollection||v1|ns|configmaps||'],
    ['DELETE', '/api/v1/namespaces/ns/configmaps/c', undefined, 'delete||v1|ns|configmaps||c'],
    ['GET', '/api/v1/pods', undefined, 'list||v1||pods||'],
    ['GET', '/api/v1/nodes/n1', undefined, 'get||v1||nodes||n1'],
    ['GET', '/api/v1/namespaces/ns', undefined, 'get||v1|ns|namespaces||ns'],
    ['PUT', '/api/v1/namespaces/ns/finalize', undefined, 'update||v1|ns|namespaces|finalize|ns'],
    ['GET', '/api/v1/namespaces', undefined, 'list||v1||namespaces||'],
    ['GET', '/api/v1/proxy/nodes/n1/stats/summary', undefined, 'proxy||v1||nodes||n1'],
    ['GET', '/api/v1/namespaces/ns/pods/web:8080/proxy/a/b', undefined, 'get||v1|ns|pods|proxy|web:8080'],
    ['POST', '/api/v1/nodes/n1/proxy/configz', undefined, 'create||v1||nodes|proxy|n1'],
    ['GET', '/api/v1/watch/namespaces/ns/pods/web', undefined, 'watch||v1|ns|pods||web'],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', undefined, 'create|authorization.k8s.io|v1||selfsubjectaccessreviews||'],
  ])('%s %s (watch=%s) -> %s', (method, path, watch, want) => {
    expect(r(method, path, watch)).toBe(want);
  });

  it.each([
    ['GET', '/api', 'non-resource get /api'],
    ['GET', '/api/v1', 'non-resource get /api/v1'],
    ['GET', '/apis/apps/v1', 'non-resource get /apis/apps/v1'],
    ['GET', '/healthz', 'non-resource get /healthz'],
    ['GET', '/openapi/v3/apis/apps/v1', 'non-resource get /openapi/v3/apis/apps/v1'],
    ['POST', '/version', 'non-resource post /version'],
  ])('%s %s is a non-resource request', (method, path, want) => {
    expect(r(method, path)).toBe(want);
  });

  it('reads a path between any number of leading and trailing slashes', () => {
    expect(r('GET', '//api/v1/namespaces/ns/pods/web//')).toBe('get||v1|ns|pods||web');
    const slashes = '/'.repeat(100_000);
    expect(r('GET', `${slashes}api/v1/nodes/n1${slashes}`)).toBe('get||v1||nodes||n1');
    expect(r('GET', `/a${slashes}x`)).toBe(`non-resource get /a${slashes}x`);
    expect(r('GET', slashes)).toBe(`non-resource get ${slashes}`);
  });
});
