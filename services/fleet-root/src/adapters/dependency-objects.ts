/**
 * The dependency follower's watches (ADR 0009): on the host, every object of the kinds that
 * follow workloads (their sources); in each member, only Spillway's copies (label-selected, so a
 * member's own objects cost nothing).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeList, MemberInformers, type CachedSource, type InformerOptions, type MemberClients } from "@spillway/kit";
import { dependencyKindNames, dependencyKinds, dependencyManager, type DependencyKind, type DependencyObject } from "@spillway/rules";

export type ByKind<T> = Record<DependencyKind, T>;

/** One `T` per kind that follows workloads. */
export const byKind = <T>(make: (kind: DependencyKind) => T): ByKind<T> =>
  Object.fromEntries(dependencyKindNames.map((k) => [k, make(k)])) as ByKind<T>;
const collection = (kind: DependencyKind) => `/api/${dependencyKinds[kind].apiVersion}/${dependencyKinds[kind].plural}`;

type Object = DependencyObject & { metadata?: { name?: string; namespace?: string } };

export function hostSources(
  kubeConfig: KubeConfig,
  informerFor: (o: InformerOptions<Object>) => CachedSource<Object>,
): ByKind<CachedSource<DependencyObject>> {
  return byKind((kind) => {
    const path = collection(kind);
    return informerFor({
      path,
      list: () => kubeList<Object>(kubeConfig, { path, what: `the host's ${dependencyKinds[kind].plural}` }),
    });
  });
}

export function memberCopies(
  clients: MemberClients,
  onError: (cluster: string, err: unknown, retryInMs: number) => void,
): ByKind<MemberInformers<Object>> {
  const selector = `${dependencyManager.label}=${dependencyManager.value}`;
  return byKind(
    (kind) =>
      new MemberInformers<Object>(
        clients,
        {
          path: collection(kind),
          labelSelector: selector,
          list: (kc, labelSelector) =>
            kubeList<Object>(kc, {
              path: `${collection(kind)}?labelSelector=${encodeURIComponent(labelSelector ?? selector)}`,
              what: `Spillway's ${dependencyKinds[kind].plural} in a member`,
            }),
        },
        onError,
      ),
  );
}
