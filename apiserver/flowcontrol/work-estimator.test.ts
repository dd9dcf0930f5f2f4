import { describe, expect, it } from 'vitest';
import type { ResourceAttributes } from '../authz/request-info.js';
import { levelMaxSeats, requestSeats, writeWork } from './work-estimator.js';
import { requiredField, WatchTracker } from './watch-tracker.js';

const attrs = (verb: string, name = ''): ResourceAttributes => ({ resourceRequest: true, verb, apiGroup: '', apiVersion: 'v1', namespace: '', resource: 'pods', subresource: '', name });

describe('APF work estimates', () => {
  it('gives a LIST a seat per hundred objects it goes through, as Kubernetes 1.32 counts them', () => {
    // From the watch cache: every stored object.
    expect(requestSeats(attrs('list'), {}, 250, 10)).toBe(3);
    expect(requestSeats(attrs('list'), { resourceVersion: '0', limit: '50' }, 250, 10)).toBe(3);
    // From etcd, a page: twice the page (read, then filtered and encoded).
    expect(requestSeats(attrs('list'), { limit: '100' }, 5000, 10)).toBe(2);
    expect(requestSeats(attrs('list'), { limit: '100', continue: 'abc' }, 5000, 10)).toBe(2);
    // From etcd with a selector: everything is read to fill the page.
    expect(requestSeats(attrs('list'), { limit: '100', labelSelector: 'app=x' }, 5000, 10)).toBe(10);
    expect(requestSeats(attrs('list'), { limit: '100', resourceVersionMatch: 'Exact', resourceVersion: '5', fieldSelector: 'spec.nodeName=n' }, 150, 10)).toBe(3);
    // At most the level's share, at least one.
    expect(requestSeats(attrs('list'), {}, 100_000, 4)).toBe(4);
    expect(requestSeats(attrs('list'), {}, 0, 10)).toBe(1);
  });

  it('gives one seat to everything else: a LIST by name, a GET or write, a resource it cannot count', () => {
    expect(requestSeats(attrs('list'), { fieldSelector: 'metadata.name=web' }, 5000, 10)).toBe(1);
    expect(requestSeats(attrs('list'), { fieldSelector: 'status.phase=Running,metadata.name==web' }, 5000, 10)).toBe(1);
    expect(requestSeats(attrs('list'), { fieldSelector: 'metadata.name!=web' }, 5000, 10)).toBe(10);
    expect(requestSeats(attrs('get', 'web'), {}, 5000, 10)).toBe(1);
    expect(requestSeats(attrs('create'), {}, 5000, 10)).toBe(1);
    expect(requestSeats(attrs('list'), {}, undefined, 10)).toBe(1);
  });

  it("caps a level's requests at 15% of its seats and at the seats of a hand's queue", () => {
    expect(levelMaxSeats(49, 6)).toBe(8);
    expect(levelMaxSeats(10, 6)).toBe(1);
    expect(levelMaxSeats(600, 6)).toBe(10);
    expect(levelMaxSeats(30)).toBe(5);
    expect(levelMaxSeats(1, 8)).toBe(1);
  });

  it('gives a write with ten or more watchers a seat per ten, kept 5 ms after it is answered (stretched when capped)', () => {
    expect(writeWork(attrs('create'), 9, 10)).toEqual({ finalSeats: 0, lingerMs: 0 });
    expect(writeWork(attrs('create'), 10, 10)).toEqual({ finalSeats: 1, lingerMs: 5 });
    expect(writeWork(attrs('update'), 35, 10)).toEqual({ finalSeats: 4, lingerMs: 5 });
    // 400 watchers want 40 seats; ten of them for four times as long.
    expect(writeWork(attrs('patch'), 400, 10)).toEqual({ finalSeats: 10, lingerMs: 20 });
    // A service account token sends no event.
    expect(writeWork({ ...attrs('create', 'default'), resource: 'serviceaccounts', subresource: 'token' }, 400, 10)).toEqual({ finalSeats: 0, lingerMs: 0 });
  });
});

describe('APF watch tracking', () => {
  const at = (verb: string, namespace = '', name = '', resource = 'configmaps'): ResourceAttributes => ({ resourceRequest: true, verb, apiGroup: '', apiVersion: 'v1', namespace, resource, subresource: '', name });

  it('counts for a write the watches of its resource cluster-wide, in its namespace and of its name', () => {
    const t = new WatchTracker();
    const forget = [t.register(at('watch'), undefined), t.register(at('watch', 'a'), undefined), t.register(at('watch', 'a'), 'metadata.name=x'), t.register(at('watch', 'b'), undefined), t.register(at('watch', '', '', 'secrets'), undefined)];
    expect(t.interested(at('create', 'a'))).toBe(2);
    expect(t.interested(at('update', 'a', 'x'))).toBe(3);
    expect(t.interested(at('delete', 'b', 'y'))).toBe(2);
    expect(t.interested(at('get', 'a', 'x'))).toBe(0);
    forget[0]!();
    forget[0]!(); // once only
    expect(t.interested(at('update', 'a', 'x'))).toBe(2);
    forget.forEach((f) => f());
    expect(t.interested(at('update', 'a', 'x'))).toBe(0);
  });

  it('leaves out a kubelet\'s watch of the pods on its node', () => {
    const t = new WatchTracker();
    t.register(at('watch', '', '', 'pods'), 'spec.nodeName=node-1');
    t.register(at('watch', '', '', 'pods'), 'spec.nodeName=');
    expect(t.interested(at('create', 'default', '', 'pods'))).toBe(1);
    expect(requiredField('a=1, spec.nodeName == n ,b!=2', 'spec.nodeName')).toBe('n');
    expect(requiredField('spec.nodeName!=n', 'spec.nodeName')).toBeUndefined();
    expect(requiredField(`spec.nodeName=${' '.repeat(100_000)}=`, 'spec.nodeName')).toBeUndefined();
    expect(requiredField(`spec.nodeName==${' '.repeat(100_000)}n `, 'spec.nodeName')).toBe('n');
  });
});
