// Shared informers: one list+watch per resource however many controllers read it, as in
// client-go's SharedInformerFactory. Controllers ask for informers (and add handlers and
// indexes) before start(); synced resolves once every informer has its first list, and a
// view's once the informers asked for through it have theirs. A view's informers may be
// started ahead of the others (startView), for the controllers a cold start waits on.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types/meta.js';
import type { TypedResources } from '../api/types/resources.js';
import { Informer, type InformerOptions } from './informer.js';
import { resource } from './rest.js';
import type { ApiClient } from './api-client.js';

/** Informers by resource path: the factory itself, or a view of it. */
export interface InformerSource {
  for<P extends keyof TypedResources>(path: P): Informer<TypedResources[P]>;
  for<T extends KubeObject = KubeObject>(path: string): Informer<T>;
}

export class InformerFactory implements InformerSource {
  private readonly informers = new Map<string, Informer<any>>();
  private readonly running = new Set<Informer<any>>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly log?: Logger,
    /** Per resource path, how its informer keeps objects (what they are cut down to, their families). */
    private readonly keeping: Readonly<Record<string, Pick<InformerOptions<any>, 'transform' | 'family'>>> = {},
  ) {}

  /** The informer for `group/version/plural` (or `version/plural` for core). */
  for<P extends keyof TypedResources>(path: P): Informer<TypedResources[P]>;
  for<T extends KubeObject = KubeObject>(path: string): Informer<T>;
  for<T extends KubeObject = KubeObject>(path: string): Informer<T> {
    let inf = this.informers.get(path);
    if (!inf) {
      if (this.started) throw new Error(`informer ${path} asked for after start`);
      inf = new Informer<T>(this.client, resource(path), { ...this.keeping[path] }, this.log);
      this.informers.set(path, inf);
    }
    return inf as Informer<T>;
  }

  all(): Array<[string, Informer<any>]> {
    return [...this.informers];
  }

  /** Runs every informer (those a startView began keep running) until `signal` aborts; none may be asked for after. */
  start(signal: AbortSignal): Promise<void[]> {
    this.started = true;
    return this.run([...this.informers.values()], signal);
  }

  /** Runs the informers `view` has asked for now, ahead of start(); more may be asked for until start(). */
  startView(view: InformerView, signal: AbortSignal): Promise<void[]> {
    return this.run(view.informers(), signal);
  }

  private run(informers: Array<Informer<any>>, signal: AbortSignal): Promise<void[]> {
    // Every informer's watch listens on this one signal: that many listeners is by design.
    setMaxListeners(0, signal);
    const starting = informers.filter((i) => !this.running.has(i));
    for (const i of starting) this.running.add(i);
    return Promise.all(starting.map((i) => i.run(signal)));
  }

  get synced(): Promise<void> {
    return Promise.all([...this.informers.values()].map((i) => i.synced)).then(() => undefined);
  }

  /**
   * One controller's view: the informers it asks for are this factory's (shared), and the
   * view's `synced` waits for those alone, so each controller starts once its own caches are
   * filled, as client-go controllers wait for their own informers, not for every controller's.
   */
  view(): InformerView {
    return new InformerView(this);
  }
}

export class InformerView implements InformerSource {
  private readonly paths = new Set<string>();

  constructor(private readonly factory: InformerFactory) {}

  for<P extends keyof TypedResources>(path: P): Informer<TypedResources[P]>;
  for<T extends KubeObject = KubeObject>(path: string): Informer<T>;
  for<T extends KubeObject = KubeObject>(path: string): Informer<T> {
    const inf = this.factory.for<T>(path);
    this.paths.add(path);
    return inf;
  }

  /** The informers asked for through this view. */
  informers(): Array<Informer<any>> {
    return [...this.paths].map((p) => this.factory.for(p));
  }

  get synced(): Promise<void> {
    return Promise.all(this.informers().map((i) => i.synced)).then(() => undefined);
  }
}
