/**
 * A typed client for one custom resource kind, over client-node's CustomObjectsApi, that hides
 * the namespaced/cluster-scoped split and addresses the status subresource. Controllers see it
 * through the `ObjectClient` interface, which the kit's fake implements too.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import type { KindDefinition, KubeObject } from "@spillway/api";
import { resourceOf } from "@spillway/api";
import type { ObjectClient, ObjectKey, ObjectList, ResourceInfo } from "./object-store.ts";

export type { ObjectKey, ObjectList } from "./object-store.ts";

export class ResourceClient<T extends KubeObject<unknown, unknown>> implements ObjectClient<T> {
  private readonly api: CustomObjectsApi;
  readonly resource: ResourceInfo;

  constructor(kubeConfig: KubeConfig, def: KindDefinition) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
    this.resource = resourceOf(def);
  }

  /** The collection path informers watch (all namespaces for namespaced kinds). */
  get path(): string {
    return `/apis/${this.resource.group}/${this.resource.version}/${this.resource.plural}`;
  }

  private base() {
    return { group: this.resource.group, version: this.resource.version, plural: this.resource.plural };
  }

  async get(key: ObjectKey): Promise<T> {
    return (
      this.resource.namespaced
        ? await this.api.getNamespacedCustomObject({ ...this.base(), namespace: key.namespace!, name: key.name })
        : await this.api.getClusterCustomObject({ ...this.base(), name: key.name })
    ) as T;
  }

  /** Lists across all namespaces (namespaced kinds) or the whole cluster. */
  async list(): Promise<ObjectList<T>> {
    const { group, version, plural } = this.base();
    return (
      this.resource.namespaced
        ? await this.api.listCustomObjectForAllNamespaces({ group, version, resourcePlural: plural })
        : await this.api.listClusterCustomObject(this.base())
    ) as ObjectList<T>;
  }

  async create(body: T): Promise<T> {
    return (
      this.resource.namespaced
        ? await this.api.createNamespacedCustomObject({ ...this.base(), namespace: body.metadata.namespace!, body })
        : await this.api.createClusterCustomObject({ ...this.base(), body })
    ) as T;
  }

  /** Replaces the object; the API refuses it with 409 when `metadata.resourceVersion` is stale. */
  async replace(body: T): Promise<T> {
    const key = { name: body.metadata.name! };
    return (
      this.resource.namespaced
        ? await this.api.replaceNamespacedCustomObject({ ...this.base(), ...key, namespace: body.metadata.namespace!, body })
        : await this.api.replaceClusterCustomObject({ ...this.base(), ...key, body })
    ) as T;
  }

  /** Replaces the status subresource, guarded by `metadata.resourceVersion`. */
  async replaceStatus(body: T): Promise<T> {
    const key = { name: body.metadata.name! };
    return (
      this.resource.namespaced
        ? await this.api.replaceNamespacedCustomObjectStatus({ ...this.base(), ...key, namespace: body.metadata.namespace!, body })
        : await this.api.replaceClusterCustomObjectStatus({ ...this.base(), ...key, body })
    ) as T;
  }

  /** A JSON merge patch of the main resource (metadata such as finalizers, labels). */
  async mergePatch(key: ObjectKey, patch: object): Promise<T> {
    const options = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    return (
      this.resource.namespaced
        ? await this.api.patchNamespacedCustomObject({ ...this.base(), namespace: key.namespace!, name: key.name, body: patch }, options)
        : await this.api.patchClusterCustomObject({ ...this.base(), name: key.name, body: patch }, options)
    ) as T;
  }

  async apply(body: Partial<T> & Pick<T, "apiVersion" | "kind" | "metadata">, fieldManager: string): Promise<T> {
    const options = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
    const key = { name: body.metadata.name!, fieldManager, force: true };
    return (
      this.resource.namespaced
        ? await this.api.patchNamespacedCustomObject({ ...this.base(), ...key, namespace: body.metadata.namespace!, body }, options)
        : await this.api.patchClusterCustomObject({ ...this.base(), ...key, body }, options)
    ) as T;
  }

  async delete(key: ObjectKey): Promise<void> {
    if (this.resource.namespaced)
      await this.api.deleteNamespacedCustomObject({ ...this.base(), namespace: key.namespace!, name: key.name });
    else await this.api.deleteClusterCustomObject({ ...this.base(), name: key.name });
  }
}
