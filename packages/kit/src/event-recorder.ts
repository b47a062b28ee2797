/**
 * Kubernetes Events for user-visible outcomes (`kubectl describe` shows them). Repeats of the same
 * event on the same object within a short window are folded into a count instead of new objects,
 * as client-go's recorder does, so a failing reconcile loop does not flood etcd.
 */
import { randomBytes } from "node:crypto";
import { EventsV1Api, V1MicroTime, type KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "@spillway/api";

export type EventType = "Normal" | "Warning";

export class EventRecorder {
  private readonly api: EventsV1Api;
  private readonly controller: string;
  private readonly instance: string;
  private readonly recent = new Map<string, { at: number }>();
  private readonly onError: ((err: unknown) => void) | undefined;

  constructor(kubeConfig: KubeConfig, controller: string, instance: string, onError?: (err: unknown) => void) {
    this.api = kubeConfig.makeApiClient(EventsV1Api);
    this.controller = controller;
    this.instance = instance;
    this.onError = onError;
  }

  /** Records an event; never throws (an event is a courtesy, not part of the reconcile). */
  async record(obj: KubeObject<unknown, unknown>, type: EventType, reason: string, note: string, action = reason): Promise<void> {
    const namespace = obj.metadata.namespace ?? "default";
    const key = `${obj.metadata.uid}/${type}/${reason}/${note}`;
    const now = Date.now();
    const seen = this.recent.get(key);
    if (seen && now - seen.at < 60_000) return;
    this.recent.set(key, { at: now });
    if (this.recent.size > 4096) this.recent.clear();
    try {
      await this.api.createNamespacedEvent({
        namespace,
        body: {
          // client-go's naming: the object's name and a unique hex suffix (generateName must not end in ".").
          metadata: { name: `${obj.metadata.name}.${now.toString(16)}${randomBytes(2).toString("hex")}`, namespace },
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
        },
      });
    } catch (err) {
      this.onError?.(err);
    }
  }
}
