/**
 * A whole collection, listed in pages (`limit`/`continue`) as client-go's pager lists for an
 * informer. One answer of 30,000 pods from a busy API server outlasts that server's own request
 * timeout (60 s) and is cut off; a page of 500 answers in a moment, and every page comes from the
 * one snapshot the first was read at, so the pages add up to one consistent list at its
 * resourceVersion. A continue token that expired meanwhile (410: the snapshot was compacted)
 * starts the list over, once.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeRequestError, kubeRequest } from "./kube-request.ts";

/** client-go's pager default. */
export const LIST_PAGE_SIZE = 500;

export interface ListPage<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

export interface KubeListRequest {
  /** The collection, with any selectors already in its query. */
  path: string;
  what: string;
  pageSize?: number;
  /** Per page. */
  timeoutMs?: number;
}

export async function kubeList<T>(
  kc: KubeConfig,
  req: KubeListRequest,
): Promise<{ apiVersion?: string; kind?: string; metadata: { resourceVersion?: string }; items: T[] }> {
  const pageOf = (token: string | undefined) => {
    const url = new URL(req.path, "http://list");
    url.searchParams.set("limit", String(req.pageSize ?? LIST_PAGE_SIZE));
    if (token) url.searchParams.set("continue", token);
    return `${url.pathname}${url.search}`;
  };
  for (let startedOver = false; ; startedOver = true) {
    const items: T[] = [];
    let token: string | undefined;
    try {
      for (;;) {
        const page = (await kubeRequest(kc, { path: pageOf(token), what: req.what, timeoutMs: req.timeoutMs })) as ListPage<T>;
        for (const item of page.items ?? []) items.push(item);
        token = page.metadata?.continue || undefined;
        if (!token) {
          return { apiVersion: page.apiVersion, kind: page.kind, metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
        }
      }
    } catch (err) {
      if (token && !startedOver && err instanceof KubeRequestError && err.code === 410) continue;
      throw err;
    }
  }
}
