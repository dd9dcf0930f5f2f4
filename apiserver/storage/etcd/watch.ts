// One etcd watch on a key range that survives connection loss: when its stream breaks it is
// re-opened (on the next healthy endpoint, at most ~100 ms later, however long the outage)
// from the revision after the last event it delivered, so no event is lost or repeated.
// Only compaction of that revision ends it, because then the history it needs is gone.
import { decodeWatchResponse, encodeWatchCreate, WATCH_PATH, type WatchCreateRequest, type WatchResponse } from './api.js';
import { classify } from './errors.js';
import type { EtcdClient, Endpoint } from './client.js';
import type { GrpcStream } from './grpc.js';
import type { KVWatch, WatchHandlers } from '../kv.js';

const RECONNECT_PAUSE_MS = 100;

export class EtcdWatch implements KVWatch {
  private call?: GrpcStream;
  private endpoint?: Endpoint;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private generation = 0;
  /** The revision the next (re)opened stream starts from. */
  nextRevision: number;
  connected = false;
  reconnects = 0;

  constructor(
    private readonly client: EtcdClient,
    private readonly request: Omit<WatchCreateRequest, 'start_revision'>,
    startRevision: number,
    private readonly handlers: WatchHandlers,
  ) {
    this.nextRevision = startRevision;
    this.open();
  }

  private open(): void {
    if (this.stopped || this.client.isClosed) return;
    const generation = ++this.generation;
    const endpoint = this.client.pick(this.endpoint);
    this.endpoint = endpoint;
    const current = () => generation === this.generation && !this.stopped;
    const onResponse = (res: WatchResponse) => {
      if (!current()) return;
      if (res.created && !res.canceled) {
        endpoint.markUp();
        this.connected = true;
        this.handlers.onConnected?.();
      }
      if (res.canceled) {
        if (res.compact_revision > 0) {
          this.stop();
          this.handlers.onCompacted(res.compact_revision);
        } else this.broken(`watch canceled by etcd: ${res.cancel_reason || 'no reason given'}`);
        return;
      }
      if (res.events.length > 0) {
        this.nextRevision = res.events[res.events.length - 1]!.kv.mod_revision + 1;
        this.handlers.onEvents(res.events);
      } else if (!res.created && res.header.revision >= this.nextRevision) {
        this.nextRevision = res.header.revision + 1;
        this.handlers.onProgress?.(res.header.revision);
      }
    };
    this.call = endpoint.connection.stream(WATCH_PATH, encodeWatchCreate({ ...this.request, start_revision: this.nextRevision }), {
      onMessage: (message) => {
        if (!current()) return;
        let res: WatchResponse;
        try {
          res = decodeWatchResponse(message);
        } catch (err) {
          return this.broken(`etcd sent a malformed watch response: ${(err as Error).message}`);
        }
        onResponse(res);
      },
      onClose: (err) => {
        if (!current()) return;
        if (classify(err) === 'unreachable') endpoint.markDown();
        this.broken(err.details || err.message);
      },
    });
  }

  private broken(reason: string): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.generation++;
    this.call?.cancel();
    this.call = undefined;
    if (this.stopped) return;
    if (wasConnected) this.handlers.onDisconnected?.(reason);
    this.reconnects++;
    // Up to 100 ms, jittered, so many watches do not reconnect in lockstep.
    this.timer = setTimeout(() => this.open(), Math.round(RECONNECT_PAUSE_MS * (0.5 + Math.random() / 2)));
  }

  stop(): void {
    this.stopped = true;
    this.connected = false;
    clearTimeout(this.timer);
    this.generation++;
    this.call?.cancel();
    this.call = undefined;
  }
}
