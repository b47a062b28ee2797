/**
 * Kubernetes Events for user-visible outcomes (`kubectl describe` shows them). Repeats are folded
 * as client-go's events recorder (k8s.io/client-go/tools/events) folds them: the first occurrence
 * is an Event; a repeat of it (same object, type, reason and note) while the series is alive makes
 * it a series, `count` and `lastObservedTime` updated in place (`kubectl describe` shows "x5 over
 * 2m"), so a failing reconcile loop neither floods etcd nor hides how often it failed. The second
 * occurrence is written at once, later ones at most every `flushMs` per series; a series nothing
 * repeated for `seriesMs` (client-go's 6 minutes) ends, and the next occurrence starts a new Event.
 * A create the server could not take (throttled with 429, a 5xx, no connection) is retried in the
 * background as client-go retries it: up to 12 tries, 10 s apart, the first wait randomised so
 * that recorders do not come back in step; a create it refused (403, an invalid Event) is not.
 */
import { randomBytes } from "node:crypto";
import { EventsV1Api, PatchStrategy, setHeaderOptions, V1MicroTime, type KubeConfig, type EventsV1Event } from "@kubernetes/client-node";
export type EventType = "Normal" | "Warning";

/** The object an event is about (what `regarding` names). */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** Where events go: the events.k8s.io API, or a fake in unit tests. */
export interface EventSink {
  create(namespace: string, event: EventsV1Event): Promise<void>;
  series(namespace: string, name: string, series: { count: number; lastObservedTime: Date }): Promise<void>;
}

export interface EventRecorderOptions {
  onError?: (err: unknown) => void;
  sink?: EventSink;
  now?: () => number;
  /** How long a series lives without a repeat. */
  seriesMs?: number;
  /** How often a series' count is written at most. */
  flushMs?: number;
  /** The wait between tries of a create the server could not take (client-go: 10 s). */
  retryMs?: number;
  random?: () => number;
}

interface Series {
  namespace: string;
  name: string;
  count: number;
  /** The count the API holds. */
  written: number;
  lastObserved: number;
  lastWrite: number;
  timer?: NodeJS.Timeout;
  /** Whether the API holds the Event yet: counts wait for it. */
  created: boolean;
}

const MAX_SERIES = 4096;
/** client-go's maxTriesPerEvent. */
const MAX_TRIES = 12;

/** A failure worth trying again: no answer, throttled, or the server's own failure. */
function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown; statusCode?: unknown } | undefined)?.code ?? (err as { statusCode?: unknown })?.statusCode;
  return typeof code !== "number" || code === 429 || code >= 500;
}

const alreadyExists = (err: unknown) => (err as { code?: unknown } | undefined)?.code === 409;

export class EventRecorder {
  private readonly sink: EventSink;
  private readonly series = new Map<string, Series>();
  private readonly onError: ((err: unknown) => void) | undefined;
  private readonly now: () => number;
  private readonly seriesMs: number;
  private readonly flushMs: number;
  private readonly retryMs: number;
  private readonly random: () => number;

  private readonly controller: string;
  private readonly instance: string;

  constructor(kubeConfig: KubeConfig, controller: string, instance: string, options: EventRecorderOptions | ((err: unknown) => void) = {}) {
    this.controller = controller;
    this.instance = instance;
    const o = typeof options === "function" ? { onError: options } : options;
    this.sink = o.sink ?? apiSink(kubeConfig);
    this.onError = o.onError;
    this.now = o.now ?? Date.now;
    this.seriesMs = o.seriesMs ?? 6 * 60_000;
    this.flushMs = o.flushMs ?? 30_000;
    this.retryMs = o.retryMs ?? 10_000;
    this.random = o.random ?? Math.random;
  }

  /** Records an event; never throws (an event is a courtesy, not part of the reconcile). */
  async record(obj: EventSubject, type: EventType, reason: string, note: string, action = reason): Promise<void> {
    // Events of cluster-scoped objects live in "default", as Kubernetes' own do.
    const namespace = obj.metadata.namespace ?? "default";
    const key = `${obj.metadata.uid}/${type}/${reason}/${action}/${note}`;
    const now = this.now();
    const s = this.series.get(key);
    if (s && now - s.lastObserved < this.seriesMs) {
      s.count++;
      s.lastObserved = now;
      if (s.count === 2 || now - s.lastWrite >= this.flushMs) await this.flush(s);
      else s.timer ??= setTimeout(() => void this.flush(s), this.flushMs - (now - s.lastWrite)).unref();
      return;
    }
    if (s) this.end(key, s);
    if (this.series.size >= MAX_SERIES) for (const [k, old] of this.series) if (now - old.lastObserved >= this.seriesMs) this.end(k, old);
    if (this.series.size >= MAX_SERIES) this.end(this.series.keys().next().value!, this.series.values().next().value!);
    // client-go's naming: the object's name and a unique hex suffix (generateName must not end in ".").
    const name = `${obj.metadata.name}.${now.toString(16)}${randomBytes(2).toString("hex")}`;
    const series: Series = { namespace, name, count: 1, written: 1, lastObserved: now, lastWrite: now, created: false };
    this.series.set(key, series);
    await this.create(key, series, {
      metadata: { name, namespace },
      eventTime: new V1MicroTime(now),
      reportingController: `spillway.dev/${this.controller}`,
      reportingInstance: this.instance,
      action,
      reason,
      note: note.slice(0, 1024),
      type,
      regarding: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
    });
  }

  /** Creates a series' Event; a failure worth retrying is tried again later, off the caller's path. */
  private async create(key: string, s: Series, event: EventsV1Event, tries = 1): Promise<void> {
    try {
      await this.sink.create(s.namespace, event);
    } catch (err) {
      // 409 on a retry: an earlier try did create it, only its answer was lost.
      if (!(tries > 1 && alreadyExists(err))) {
        if (this.series.get(key) === s && retryable(err) && tries < MAX_TRIES) {
          const delay = tries === 1 ? this.retryMs * this.random() : this.retryMs;
          setTimeout(() => void this.create(key, s, event, tries + 1), delay).unref();
          return;
        }
        // Not there to count on: the next occurrence makes a new one.
        if (this.series.get(key) === s) this.series.delete(key);
        this.onError?.(err);
        return;
      }
    }
    s.created = true;
    if (s.count !== s.written) await this.flush(s);
  }

  /** Writes what a series counted since its last write. */
  private async flush(s: Series): Promise<void> {
    clearTimeout(s.timer);
    s.timer = undefined;
    if (s.count === s.written || !s.created) return;
    const count = s.count;
    s.lastWrite = this.now();
    try {
      await this.sink.series(s.namespace, s.name, { count, lastObservedTime: new Date(s.lastObserved) });
      s.written = Math.max(s.written, count);
    } catch (err) {
      this.onError?.(err);
    }
  }

  /** A series ends with its last count written. */
  private end(key: string, s: Series): void {
    this.series.delete(key);
    if (s.count !== s.written) void this.flush(s);
    else clearTimeout(s.timer);
  }
}

function apiSink(kubeConfig: KubeConfig): EventSink {
  const api = kubeConfig.makeApiClient(EventsV1Api);
  return {
    create: async (namespace, body) => void (await api.createNamespacedEvent({ namespace, body })),
    series: async (namespace, name, { count, lastObservedTime }) =>
      void (await api.patchNamespacedEvent(
        { namespace, name, body: { series: { count, lastObservedTime: new V1MicroTime(lastObservedTime.getTime()) } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      )),
  };
}
