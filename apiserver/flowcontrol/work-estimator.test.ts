import { describe, expect, it } from 'vitest';
import type { ResourceAttributes } from '../authz/request-info.js';
import { levelMaxSeats, requestSeats } from './work-estimator.js';

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
});
