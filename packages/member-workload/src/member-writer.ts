/**
 * A member-workload controller's hands in the members, whatever the kind: look an object up (and
 * whether this controller manages it), server-side apply as the controller's field manager, make
 * an object only where none of that name exists, delete. One implementation over client-node's
 * generic object API, so a Deployment and a StatefulSet are written the same way.
 */
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { isAlreadyExists, isNotFound, MemberApis, type MemberClients } from "@spillway/kit";
import type { MemberObject } from "@spillway/rules";

/** Which object in a member: its kind and where it is. */
export interface MemberObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** What the shell writes to members; `FakeMemberWriter` (`/testing`) implements it over in-memory members. */
export interface MemberWriter {
  /** Whether the object exists in the member, and whether this controller manages it. */
  read(member: MemberCluster, ref: MemberObjectRef): Promise<{ managed: boolean } | undefined>;
  /** Server-side apply; resolves to the generation the member gave the object. */
  apply(member: MemberCluster, object: MemberObject): Promise<number>;
  /** Creates the object unless one of that name exists (someone else's is left alone). */
  ensure(member: MemberCluster, object: MemberObject): Promise<void>;
  /** Creates the object; false when one of that name exists already (whoever made it). */
  create(member: MemberCluster, object: MemberObject): Promise<boolean>;
  /** Replaces the object whole: fields someone else added are gone, as a put-back must do. */
  replace(member: MemberCluster, object: MemberObject): Promise<void>;
  /** Deletes the object (gone already is fine); `onlyManaged` leaves someone else's alone. */
  delete(member: MemberCluster, ref: MemberObjectRef, onlyManaged?: boolean): Promise<void>;
  ensureNamespace(member: MemberCluster, namespace: string): Promise<void>;
}

/** Who manages an object: the label its manager sets, and the field manager its applies use. */
export interface Manager {
  label: string;
  value: string;
  fieldManager: string;
}

export class ApiMemberWriter implements MemberWriter {
  private readonly apis: MemberApis;
  private readonly clients: Pick<MemberClients, "get">;
  private readonly objects = new Map<string, { fingerprint: string; api: KubernetesObjectApi }>();
  private readonly manager: Manager;

  constructor(clients: Pick<MemberClients, "get">, manager: Manager) {
    this.clients = clients;
    this.apis = new MemberApis(clients);
    this.manager = manager;
  }

  /** The member's generic object API, made once per kubeconfig (its discovery cache goes with it). */
  private async api(member: MemberCluster): Promise<KubernetesObjectApi> {
    const { client } = await this.clients.get(member);
    let entry = this.objects.get(client.name);
    if (entry?.fingerprint !== client.fingerprint) {
      entry = { fingerprint: client.fingerprint, api: KubernetesObjectApi.makeApiClient(client.kubeConfig) };
      this.objects.set(client.name, entry);
    }
    return entry.api;
  }

  async read(member: MemberCluster, ref: MemberObjectRef) {
    const api = await this.api(member);
    try {
      const o = await api.read(header(ref));
      return { managed: o.metadata?.labels?.[this.manager.label] === this.manager.value };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async apply(member: MemberCluster, object: MemberObject): Promise<number> {
    const api = await this.api(member);
    const applied = await api.patch(
      object as KubernetesObject,
      undefined,
      undefined,
      this.manager.fieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );
    return applied.metadata?.generation ?? 0;
  }

  async ensure(member: MemberCluster, object: MemberObject): Promise<void> {
    const api = await this.api(member);
    await api.create(object as KubernetesObject).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }

  async create(member: MemberCluster, object: MemberObject): Promise<boolean> {
    const api = await this.api(member);
    try {
      await api.create(object as KubernetesObject);
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  }

  async replace(member: MemberCluster, object: MemberObject): Promise<void> {
    const api = await this.api(member);
    // No resourceVersion: the copy is ours whatever the member holds now (a Service keeps the
    // addresses and ports it was given, which an update that leaves them out preserves).
    await api.replace(object as KubernetesObject);
  }

  async delete(member: MemberCluster, ref: MemberObjectRef, onlyManaged = false): Promise<void> {
    if (onlyManaged && !(await this.read(member, ref))?.managed) return;
    const api = await this.api(member);
    // Background: the member's garbage collector removes the ReplicaSets and pods, as `kubectl delete` does.
    await api.delete(header(ref), undefined, undefined, undefined, undefined, "Background").catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  ensureNamespace(member: MemberCluster, namespace: string): Promise<void> {
    return this.apis.ensureNamespace(member, namespace);
  }
}

const header = (ref: MemberObjectRef) => ({
  apiVersion: ref.apiVersion,
  kind: ref.kind,
  metadata: { name: ref.name, namespace: ref.namespace },
});
