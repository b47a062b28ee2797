/**
 * The member writer for unit tests: writes go to the kit's in-memory members (`FakeMemberObjects`,
 * one per kind), as server-side apply would; what it makes beside them (namespaces, objects a
 * workload needs) is recorded for assertions.
 */
import type { KubeObject, MemberCluster } from "@spillway/api";
import type { FakeMemberObjects } from "@spillway/kit/testing";
import type { MemberObject } from "@spillway/rules";
import type { Manager, MemberObjectRef, MemberWriter } from "../member-writer.ts";

type Stored = KubeObject<unknown, unknown>;

export class FakeMemberWriter implements MemberWriter {
  /** `cluster/namespace` of every namespace asked for. */
  readonly namespaces: string[] = [];
  /** `cluster/name` of every object ensured beside a workload (a headless Service). */
  readonly ensured: string[] = [];
  /** Members whose writes fail with this message, as a member's API server refusing them. */
  readonly refuse = new Map<string, string>();
  private readonly stores: Record<string, FakeMemberObjects<Stored>>;
  private readonly manager: Manager;

  /** `stores` by kind (`Deployment`, `StatefulSet`): the members' API servers for that kind. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a store of any kind of object
  constructor(stores: Record<string, FakeMemberObjects<any>>, manager: Manager) {
    this.stores = stores as unknown as Record<string, FakeMemberObjects<Stored>>;
    this.manager = manager;
  }

  private store(member: MemberCluster, kind: string) {
    const objects = this.stores[kind];
    return objects?.store(member.metadata.name!);
  }

  async read(member: MemberCluster, ref: MemberObjectRef) {
    const o = this.store(member, ref.kind)?.get(ref.name, ref.namespace);
    return o && { managed: o.metadata.labels?.[this.manager.label] === this.manager.value };
  }

  async apply(member: MemberCluster, object: MemberObject): Promise<number> {
    const refused = this.refuse.get(member.metadata.name!);
    if (refused) throw Object.assign(new Error(refused), { code: 422, body: { message: refused } });
    const store = this.store(member, object.kind);
    if (!store) throw new Error(`no fake store for ${object.kind}`);
    return (await store.apply(object as unknown as Stored, this.manager.fieldManager)).metadata.generation ?? 0;
  }

  async ensure(member: MemberCluster, object: MemberObject): Promise<void> {
    this.ensured.push(`${member.metadata.name}/${object.metadata.name}`);
  }

  async create(member: MemberCluster, object: MemberObject): Promise<boolean> {
    const store = this.store(member, object.kind);
    if (!store) throw new Error(`no fake store for ${object.kind}`);
    if (store.get(object.metadata.name, object.metadata.namespace)) return false;
    await store.create(object as unknown as Stored);
    return true;
  }

  async replace(member: MemberCluster, object: MemberObject): Promise<void> {
    const store = this.store(member, object.kind);
    if (!store) throw new Error(`no fake store for ${object.kind}`);
    const current = store.get(object.metadata.name, object.metadata.namespace);
    await store.replace({
      ...(object as unknown as Stored),
      metadata: { ...object.metadata, resourceVersion: current?.metadata.resourceVersion },
    } as Stored);
  }

  async delete(member: MemberCluster, ref: MemberObjectRef, onlyManaged = false): Promise<void> {
    const store = this.store(member, ref.kind);
    if (!store) return;
    if (onlyManaged && !(await this.read(member, ref))?.managed) return;
    if (store.get(ref.name, ref.namespace)) await store.delete({ namespace: ref.namespace, name: ref.name });
  }

  async ensureNamespace(member: MemberCluster, namespace: string): Promise<void> {
    this.namespaces.push(`${member.metadata.name}/${namespace}`);
  }
}
