/**
 * A whole collection, listed in pages (`limit`/`continue`) as client-go's pager lists for an
 * informer. One answer of 30,000 pods from a busy API server outlasts that server's own request
 * timeout (60 s) and is cut off; a page of 500 answers in a moment, and every page comes from the
 * one snapshot the first was read at, so the pages add up to one consistent list at its
 * resourceVersion. A continue token that expired meanwhile (410: the snapshot was compacted)
 * starts the list over, once. A page that gets no answer (a timeout, a dropped connection) is asked
 * again with the same token, up to `PAGE_TRIES` times: starting a 70-page relist over for one
 * page made relists of busy 33,000-pod members take minutes (the gateway, busy applying another
 * member's relist, let a page's 10 s timer fire first).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeRequestError, kubeRequest } from "./kube-request.ts";

/** client-go's pager default. */
export const LIST_PAGE_SIZE = 500;
/** A kube-apiserver's own request timeout: a page it still answers is waited for. */
export const LIST_PAGE_TIMEOUT_MS = 60_000;
export const PAGE_TRIES = 3;

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
  /** Per page (default `LIST_PAGE_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Told how a complete list went, for its caller to log: a relist of a big member is an event. */
  onListed?: (summary: ListSummary) => void;
}

export interface ListSummary {
  items: number;
  pages: number;
  /** From the first page asked to the last answered. */
  ms: number;
  /** Of `ms`, spent waiting for answers (asked to answered, retries included); the rest is the caller's. */
  answerMs: number;
  /** Times the list started over after its snapshot expired (0 or 1). */
  restarts: number;
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
  const started = performance.now();
  let pages = 0;
  let answerMs = 0;
  for (let startedOver = false; ; startedOver = true) {
    const items: T[] = [];
    let token: string | undefined;
    try {
      for (;;) {
        const asked = performance.now();
        const page = await pageWithRetries<T>(kc, pageOf(token), req.what, req.timeoutMs ?? LIST_PAGE_TIMEOUT_MS);
        answerMs += performance.now() - asked;
        pages++;
        for (const item of page.items ?? []) items.push(item);
        token = page.metadata?.continue || undefined;
        if (!token) {
          const ms = performance.now() - started;
          req.onListed?.({ items: items.length, pages, ms, answerMs, restarts: startedOver ? 1 : 0 });
          return { apiVersion: page.apiVersion, kind: page.kind, metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
        }
      }
    } catch (err) {
      if (token && !startedOver && err instanceof KubeRequestError && err.code === 410) continue;
      throw err;
    }
  }
}

/** One page; asked again when no answer came (an HTTP error answer is final). */
async function pageWithRetries<T>(kc: KubeConfig, path: string, what: string, timeoutMs: number): Promise<ListPage<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await kubeRequest(kc, { path, what, timeoutMs })) as ListPage<T>;
    } catch (err) {
      if (err instanceof KubeRequestError || attempt >= PAGE_TRIES) throw err;
    }
  }
}
