/**
 * In-memory member clusters for unit tests of controllers that act on members: per member a
 * `FakeObjects` store, which is both the member's cache and its API. A member can be made
 * not-yet-listed (`synced: false`) or unreachable (`ensure` throws), the two states fleet-root's
 * holds are about.
 */
import type { KubeObject, MemberCluster } from "@spillway/api";
import { FakeObjects } from "./fake-objects.ts";
import type { MemberCache, MemberEvent, MemberObjects } from "../member-informers.ts";
import type { EventHandler, EventSource } from "../object-store.ts";

export class FakeMemberObjects<T extends KubeObject<unknown, unknown>> implements MemberObjects<T> {
  readonly members = new Map<string, { store: FakeObjects<T>; synced: boolean; reachable: boolean }>();
  private readonly handlers: EventHandler<MemberEvent<T>>[] = [];
  private readonly syncHandlers: EventHandler<string>[] = [];
  readonly synced: EventSource<string> = { addHandler: (h) => void this.syncHandlers.push(h) };
  private readonly kind: string;
  private readonly selects: (o: T) => boolean;

  /** `selects` plays a watch's label selector: what it rejects exists in the member but is never cached. */
  constructor(kind: string, clusters: string[], selects: (o: T) => boolean = () => true) {
    this.kind = kind;
    this.selects = selects;
    for (const c of clusters) this.add(c);
  }

  add(cluster: string): FakeObjects<T> {
    const store = new FakeObjects<T>(this.kind);
    this.members.set(cluster, { store, synced: true, reachable: true });
    store.addHandler((type, object) => {
      if (this.selects(object)) for (const h of this.handlers) h(type, { cluster, object });
    });
    return store;
  }

  store(cluster: string): FakeObjects<T> {
    const m = this.members.get(cluster);
    if (!m) throw new Error(`no fake member ${cluster}`);
    return m.store;
  }

  /** Changes a member's state; becoming synced is announced as the real informers announce it. */
  set(cluster: string, state: Partial<{ synced: boolean; reachable: boolean }>): void {
    const m = this.members.get(cluster)!;
    const becameSynced = state.synced === true && !m.synced;
    Object.assign(m, state);
    if (becameSynced) for (const h of this.syncHandlers) h("update", cluster);
  }

  ensure(member: MemberCluster): Promise<MemberCache<T>> {
    const name = member.metadata.name!;
    const m = this.members.get(name);
    if (!m || !m.reachable) return Promise.reject(new Error(`member ${name}: no usable client`));
    return Promise.resolve(this.cache(name)!);
  }

  cache(cluster: string): MemberCache<T> | undefined {
    const m = this.members.get(cluster);
    if (!m) return undefined;
    return {
      cluster,
      synced: m.synced,
      get: (name, namespace) => {
        const o = m.store.get(name, namespace);
        return o && this.selects(o) ? o : undefined;
      },
      list: (namespace) => m.store.list(namespace).filter(this.selects),
    };
  }

  clustersHolding(name: string, namespace: string): string[] {
    return [...this.members.keys()].filter((c) => this.cache(c)!.get(name, namespace));
  }

  addHandler(handler: EventHandler<MemberEvent<T>>): void {
    this.handlers.push(handler);
  }
}
