import { describe, expect, it } from 'vitest';
import type { Secret } from '../../api/types/core.js';
import { credentialsFor, repositoryOf } from './pull-credentials.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dockerconfigjson = (auths: Record<string, unknown>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});
const user = (name: string) => ({ username: name, password: `${name}-pw` });

describe('image pull credentials', () => {
  it('reads repositories as Docker does: no registry host means Docker Hub', () => {
    expect(repositoryOf('busybox')).toBe('docker.io/library/busybox');
    expect(repositoryOf('busybox:1.36')).toBe('docker.io/library/busybox');
    expect(repositoryOf('team/app@sha256:abc')).toBe('docker.io/team/app');
    expect(repositoryOf('127.0.0.1:5000/private/app:1')).toBe('127.0.0.1:5000/private/app');
    expect(repositoryOf('localhost/app')).toBe('localhost/app');
    expect(repositoryOf('registry.example.com/team/app:v2')).toBe('registry.example.com/team/app');
  });

  it('matches a registry by host and port, and only that registry', () => {
    const s = dockerconfigjson({ '127.0.0.1:5000': user('local'), 'quay.io': user('quay') });
    expect(credentialsFor('127.0.0.1:5000/private/app:1', [s])).toEqual([{ username: 'local', password: 'local-pw', serveraddress: '127.0.0.1:5000' }]);
    expect(credentialsFor('127.0.0.1:5001/private/app:1', [s])).toEqual([]);
    expect(credentialsFor('quay.io/team/app', [s])).toEqual([{ username: 'quay', password: 'quay-pw', serveraddress: 'quay.io' }]);
    expect(credentialsFor('busybox', [s])).toEqual([]);
  });

  it("uses the keys Docker writes for Docker Hub for images without a registry host", () => {
    const s = dockerconfigjson({ 'https://index.docker.io/v1/': user('hub') });
    for (const image of ['busybox', 'library/busybox:1', 'docker.io/team/app', 'index.docker.io/team/app']) expect(credentialsFor(image, [s]).map((c) => c.username)).toEqual(['hub']);
    expect(credentialsFor('quay.io/team/app', [s])).toEqual([]);
  });

  it('tries the most specific key first, and wildcards match one host label', () => {
    const s = dockerconfigjson({ 'registry.example.com': user('any'), 'registry.example.com/team': user('team'), '*.example.org': user('wild') });
    expect(credentialsFor('registry.example.com/team/app', [s]).map((c) => c.username)).toEqual(['team', 'any']);
    expect(credentialsFor('registry.example.com/other/app', [s]).map((c) => c.username)).toEqual(['any']);
    expect(credentialsFor('r1.example.org/app', [s]).map((c) => c.username)).toEqual(['wild']);
    expect(credentialsFor('a.b.example.org/app', [s])).toEqual([]);
  });

  it("takes every secret's entries in order, .dockercfg and the legacy auth field too", () => {
    const legacy: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'quay.io': { auth: b64('olduser:old:pw'), email: 'a@b.c' } })) } };
    const modern = dockerconfigjson({ 'quay.io': { identitytoken: 'tok' } });
    expect(credentialsFor('quay.io/app', [modern, legacy])).toEqual([
      { identitytoken: 'tok', serveraddress: 'quay.io' },
      { username: 'olduser', password: 'old:pw', email: 'a@b.c', serveraddress: 'quay.io' },
    ]);
  });

  it('ignores what is not a docker config: other keys, bad JSON, bad base64, arrays, odd entries', () => {
    const odd: Secret[] = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' }, data: { token: b64('x') } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' }, data: { '.dockerconfigjson': b64('{"auths":') } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c' }, data: { '.dockerconfigjson': '!!!not base64' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'd' }, data: { '.dockerconfigjson': b64('{"auths":["quay.io"]}') } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e' }, data: { '.dockercfg': b64('{"quay.io":"user:pw","__proto__":{"username":"x"},"http://[bad":{"username":"y"}}') } },
    ];
    expect(credentialsFor('quay.io/app', odd)).toEqual([]);
  });
});
