import { describe, expect, it } from 'vitest';
import { decodeRangeResponse, decodeTxnResponse, decodeWatchResponse, encodeRangeRequest, encodeTxnRequest, encodeWatchCreate } from './api.js';
import { ProtoWriter } from './wire.js';

const hex = (frame: Buffer) => frame.subarray(5).toString('hex');
const b = (s: string) => Buffer.from(s);

describe('etcd requests on the wire', () => {
  it('writes a create (put if the key was never created) as etcd reads it, the zero revision included', () => {
    const frame = encodeTxnRequest({
      compare: [{ key: b('k'), target: 'CREATE', result: 'EQUAL', create_revision: 0 }],
      success: [{ request_put: { key: b('k'), value: b('v'), lease: 300 } }],
      failure: [{ request_range: { key: b('k') } }],
    });
    // compare { result=EQUAL(0, omitted) target=CREATE(1) key="k" create_revision=0 }
    // success { request_put { key="k" value="v" lease=300 } }  failure { request_range { key="k" } }
    expect(hex(frame)).toBe('0a07' + '1001' + '1a016b' + '2800' + '120b' + '1209' + '0a016b' + '120176' + '18ac02' + '1a05' + '0a03' + '0a016b');
  });

  it('writes ranges and watches with their options', () => {
    expect(hex(encodeRangeRequest({ key: b('a'), range_end: b('b'), limit: 2, revision: 7, sort_order: 'DESCEND', sort_target: 'MOD', keys_only: true, count_only: true }))).toBe(
      '0a0161' + '120162' + '1802' + '2007' + '2802' + '3003' + '4001' + '4801',
    );
    expect(hex(encodeWatchCreate({ key: b('/r/'), range_end: b('/r0'), start_revision: 5, progress_notify: true, prev_kv: true }))).toBe('0a10' + '0a032f722f' + '12032f7230' + '1805' + '2001' + '3001');
  });
});

describe('etcd answers read from the wire', () => {
  const header = (w: ProtoWriter, revision: number) => w.begin(1).uint(1, 0xffffffff).uint(2, 12345).uint(3, revision).uint(4, 2).end();
  const kv = (w: ProtoWriter, no: number, key: string, value: string, mod: number) => w.begin(no).bytes(1, b(key)).uint(2, 3).uint(3, mod).uint(4, 2).bytes(5, b(value)).uint(6, 99).end();

  it('reads a failed compare-and-swap with the current value, skipping fields it does not know', () => {
    const w = new ProtoWriter();
    header(w, 42);
    w.uint(99, 1); // a field from a newer etcd
    w.begin(3).begin(1);
    header(w, 42);
    kv(w, 2, 'k', '{"a":1}', 40);
    w.uint(4, 1).end().end();
    const res = decodeTxnResponse(w.frame().subarray(5));
    expect(res).toMatchObject({ header: { revision: 42, member_id: 12345 }, succeeded: false });
    expect(res.responses).toHaveLength(1);
    const range = res.responses[0]!.response_range!;
    expect(range.count).toBe(1);
    expect(range.kvs.map((k) => ({ ...k, key: k.key.toString(), value: k.value.toString() }))).toEqual([{ key: 'k', value: '{"a":1}', create_revision: 3, mod_revision: 40, version: 2 }]);
  });

  it('reads a succeeded put as succeeded, with no range result', () => {
    const w = new ProtoWriter();
    header(w, 43);
    w.uint(2, 1).begin(3).begin(2);
    header(w, 43);
    w.end().end();
    expect(decodeTxnResponse(w.frame().subarray(5))).toEqual({ header: { revision: 43, member_id: 12345 }, succeeded: true, responses: [{}] });
  });

  it('reads a page of a range with more to come, and an empty answer with its defaults', () => {
    const w = new ProtoWriter();
    header(w, 50);
    kv(w, 2, 'a', '1', 10);
    kv(w, 2, 'b', '', 11);
    w.bool(3, true).uint(4, 5);
    const res = decodeRangeResponse(w.frame().subarray(5));
    expect(res.more).toBe(true);
    expect(res.count).toBe(5);
    expect(res.kvs.map((k) => [k.key.toString(), k.value.toString(), k.mod_revision])).toEqual([
      ['a', '1', 10],
      ['b', '', 11],
    ]);
    expect(decodeRangeResponse(Buffer.alloc(0))).toEqual({ header: { revision: 0, member_id: 0 }, kvs: [], more: false, count: 0 });
  });

  it('reads watch events with their previous values, and a cancel for compaction', () => {
    const w = new ProtoWriter();
    header(w, 60);
    w.uint(2, 1);
    w.begin(11);
    kv(w, 2, 'k', 'new', 60);
    kv(w, 3, 'k', 'old', 59);
    w.end();
    w.begin(11).uint(1, 1);
    kv(w, 2, 'gone', '', 60);
    w.end();
    const res = decodeWatchResponse(w.frame().subarray(5));
    expect(res.events.map((e) => [e.type, e.kv.key.toString(), e.kv.value.toString(), e.prev_kv?.value.toString() ?? null])).toEqual([
      ['PUT', 'k', 'new', 'old'],
      ['DELETE', 'gone', '', null],
    ]);
    const c = new ProtoWriter();
    header(c, 70);
    c.bool(4, true).uint(5, 33).bytes(6, b('mvcc: required revision has been compacted'));
    expect(decodeWatchResponse(c.frame().subarray(5))).toMatchObject({ canceled: true, compact_revision: 33, cancel_reason: 'mvcc: required revision has been compacted', events: [] });
  });

  it('refuses an answer that runs past its own end', () => {
    const w = new ProtoWriter();
    kv(w, 2, 'a', 'value', 1);
    const body = w.frame().subarray(5);
    expect(() => decodeRangeResponse(body.subarray(0, body.length - 2))).toThrow(/runs past|cut short/);
  });
});
