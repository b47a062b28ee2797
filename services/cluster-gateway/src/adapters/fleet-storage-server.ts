/**
 * The fleet API's storage: etcd's v3 gRPC API, the subset kube-apiserver's storage layer uses
 * (ADR 0008), served from the fleet keyspace. It is the fleet apiserver's only storage
 * (`--etcd-servers`): the fleet API needs no access to the host's etcd.
 *
 * Keys of member objects are written through to the member that holds them, keys of host objects
 * to the host; kube-apiserver's own bookkeeping (service IP and port ranges, IPAddresses,
 * ServiceCIDRs, its APIServices, priority and fairness configuration, leases) is the fleet API's
 * private state and lives only in this keyspace, so the fleet API server never touches the host's
 * or a member's allocations; a write of any other kind is refused, not kept where it would be lost.
 */
import * as grpc from "@grpc/grpc-js";
import { addService, listen, RpcError, type BidiServerStream } from "@spillway/proto";
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  KV,
  Lease,
  Maintenance,
  Watch,
  WatchCreateRequest_FilterType,
  type KeyValueSchema,
  type RangeRequest,
  type RangeResponseSchema,
  type ResponseOpSchema,
  type TxnRequest,
  type TxnResponseSchema,
  type WatchRequest,
  type WatchResponseSchema,
  type EventSchema,
  Event_EventType,
} from "@spillway/proto/etcd";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { isConflict, isNotFound } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import { CompactedError, FutureRevisionError, type FleetKeyspace, type KeyChange, type StoredKv } from "../core/fleet-keyspace.ts";
import { HOST, type FleetObjects, type MemberObject } from "../core/fleet-objects.ts";
import { FleetLeases, LeaseNotFoundError } from "../core/fleet-leases.ts";
import { isTestHookPod, memberTestPod } from "../core/test-hook-pods.ts";
import { isBookkeepingKey, isTranslated, resourceOfKey, storageRoot, type FleetResource } from "@spillway/api";
import { judgeFleetWrite, judgeReadOnlyWrite, notKeptMessage } from "../core/fleet-write-policy.ts";
import { FleetLevelRefusal, hostBody, sameOnHost, type KubeJson } from "../core/fleet-level.ts";
import type { HostWriter } from "./host-writer.ts";
import { planDelete, planPut } from "../core/member-call.ts";
import type { MemberCaller } from "./member-caller.ts";

export interface FleetStorageOptions {
  /** How often watches that asked for progress notifications get one. */
  progressIntervalMs: number;
  /** Namespaces whose member objects the fleet API only reads (each member's own control plane owns them). */
  readOnlyNamespaces: readonly string[];
}

export const defaultFleetStorageOptions: FleetStorageOptions = {
  progressIntervalMs: 5_000,
  readOnlyNamespaces: ["kube-system", "kube-public", "kube-node-lease"],
};

// etcd's own messages: etcd's Go client maps them back to its typed errors, and kube-apiserver
// turns a compacted revision into 410 Gone.
const compacted = (c: CompactedError) =>
  Object.assign(new RpcError(grpc.status.OUT_OF_RANGE, `etcdserver: ${c.message}`), { compactRevision: c.compactRevision });
const futureRevision = () => new RpcError(grpc.status.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision");

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
const keyBytes = (k: string) => Buffer.from(k, "latin1");

/** A range end of "\0" means every key from the start on, as etcd reads it. */
const rangeEndOf = (b: Uint8Array) => (b.length === 0 ? undefined : b.length === 1 && b[0] === 0 ? "\uffff" : latin1(b));

function toKv(kv: StoredKv, keysOnly = false): MessageInitShape<typeof KeyValueSchema> {
  return {
    key: keyBytes(kv.key),
    createRevision: BigInt(kv.createRevision),
    modRevision: BigInt(kv.modRevision),
    version: BigInt(kv.version),
    ...(keysOnly ? {} : { value: Buffer.from(kv.value, "utf8") }),
  };
}

function toEvent(c: KeyChange, withPrev: boolean): MessageInitShape<typeof EventSchema> {
  const prev = withPrev && c.prev ? { prevKv: toKv(c.prev) } : {};
  return c.kv
    ? { type: Event_EventType.PUT, kv: toKv(c.kv), ...prev }
    : { type: Event_EventType.DELETE, kv: { key: keyBytes(c.key), modRevision: BigInt(c.revision) }, ...prev };
}

export class FleetStorage {
  private readonly keyspace: FleetKeyspace;
  private readonly objects: FleetObjects;
  private readonly writer: MemberCaller;
  private readonly host: HostWriter | undefined;
  private readonly log: Logger;
  private readonly options: FleetStorageOptions;
  private nextWatchId = 0n;
  private readonly leases = new FleetLeases();

  constructor(
    keyspace: FleetKeyspace,
    objects: FleetObjects,
    writer: MemberCaller,
    log: Logger,
    options = defaultFleetStorageOptions,
    host?: HostWriter,
  ) {
    this.keyspace = keyspace;
    this.objects = objects;
    this.writer = writer;
    this.host = host;
    this.log = log;
    this.options = options;
  }

  private header() {
    return { revision: BigInt(this.keyspace.revision), clusterId: 1n, memberId: 1n, raftTerm: 1n };
  }

  range(req: RangeRequest): MessageInitShape<typeof RangeResponseSchema> {
    try {
      const r = this.keyspace.range(latin1(req.key), {
        end: rangeEndOf(req.rangeEnd),
        limit: Number(req.limit),
        revision: Number(req.revision),
        countOnly: req.countOnly,
      });
      return { header: this.header(), kvs: r.kvs.map((kv) => toKv(kv, req.keysOnly)), more: r.more, count: BigInt(r.count) };
    } catch (err) {
      if (err instanceof CompactedError) throw compacted(err);
      if (err instanceof FutureRevisionError) throw futureRevision();
      throw err;
    }
  }

  /**
   * kube-apiserver's transactions have one shape: compare the key's mod revision, then put or
   * delete it, else read it (create is the same with revision 0).
   */
  async txn(req: TxnRequest): Promise<MessageInitShape<typeof TxnResponseSchema>> {
    const cmp = req.compare[0];
    const op = req.success[0]?.request;
    if (
      req.compare.length !== 1 ||
      !cmp ||
      cmp.target !== Compare_CompareTarget.MOD ||
      cmp.result !== Compare_CompareResult.EQUAL ||
      cmp.targetUnion.case !== "modRevision" ||
      req.success.length !== 1 ||
      (op?.case !== "requestPut" && op?.case !== "requestDeleteRange")
    ) {
      throw new RpcError(grpc.status.UNIMPLEMENTED, "the fleet API's storage serves only kube-apiserver's compare-and-swap transactions");
    }
    const key = latin1(cmp.key);
    const expected = Number(cmp.targetUnion.value);
    const failed = (): MessageInitShape<typeof TxnResponseSchema> => {
      const current = this.keyspace.get(key);
      const responses: MessageInitShape<typeof ResponseOpSchema>[] = req.failure.length
        ? [
            {
              response: {
                case: "responseRange",
                value: { header: this.header(), kvs: current ? [toKv(current)] : [], count: current ? 1n : 0n },
              },
            },
          ]
        : [];
      return { header: this.header(), succeeded: false, responses };
    };
    if ((this.keyspace.get(key)?.modRevision ?? 0) !== expected) return failed();

    const resource = resourceOfKey(key);
    if (!resource) {
      if (!isBookkeepingKey(key)) throw new RpcError(grpc.status.FAILED_PRECONDITION, notKeptMessage(key));
      // The fleet API server's own bookkeeping: plain etcd semantics, nothing leaves the gateway.
      if (op.case === "requestPut") {
        try {
          this.leases.put(key, op.value.lease);
        } catch (err) {
          if (err instanceof LeaseNotFoundError) throw new RpcError(grpc.status.NOT_FOUND, "etcdserver: requested lease not found");
          throw err;
        }
        const value = Buffer.from(op.value.value).toString("utf8");
        if (!this.keyspace.put(key, value)) this.keyspace.touch(key);
      } else {
        this.leases.forget(key);
        this.keyspace.delete(key);
      }
      return { header: this.header(), succeeded: true, responses: [this.okResponse(op.case)] };
    }
    const holding = expected === 0 ? undefined : this.objects.holding(key);
    if (expected !== 0 && !holding) return failed();
    const { namespace, name } = keyParts(resource, key);
    if (expected === 0 && resource.resource === "pods" && op.case === "requestPut" && namespace) {
      const pod = parseValue(key, op) as MemberObject;
      if (isTestHookPod(pod)) return this.createTestHook(resource, namespace, pod, failed);
    }
    const verdict = judgeFleetWrite(
      { resource, name: holding?.name ?? name, ...(namespace ? { namespace } : {}), ...(holding ? { holding } : {}) },
      this.options.readOnlyNamespaces,
    );
    if (!verdict.allowed)
      throw new RpcError(
        verdict.reason === "CreateRefused" ? grpc.status.FAILED_PRECONDITION : grpc.status.PERMISSION_DENIED,
        verdict.message,
      );
    if (!holding || holding.cluster === HOST)
      return this.hostTxn(key, resource, namespace, name, op, holding?.object as KubeJson | undefined, failed);
    let plan;
    if (op.case === "requestPut")
      plan = planPut({ ...holding, object: this.objects.memberObject(key) ?? holding.object }, parseValue(key, op) as MemberObject);
    else plan = [planDelete(holding)];

    try {
      const result = await this.writer.apply(holding, plan);
      if ("deleted" in result) this.objects.remove(holding.resource, holding.cluster, holding.namespace, holding.name);
      else this.objects.upsert(holding.resource, holding.cluster, result.object);
    } catch (err) {
      // The member moved on (our watch has not seen it yet) or the object is gone: the compare
      // failed, as etcd would say; kube-apiserver rereads and retries or answers 404/409.
      if (isConflict(err)) return failed();
      if (isNotFound(err)) {
        this.objects.remove(holding.resource, holding.cluster, holding.namespace, holding.name);
        return failed();
      }
      this.log.warn({ key, cluster: holding.cluster, ...errorFields(err) }, "fleet API write refused by the member");
      throw new RpcError(grpc.status.FAILED_PRECONDITION, (err as Error).message);
    }
    // A write the member took with no visible change still moves the key's revision, so the
    // version kube-apiserver hands its client is the key's own.
    if (op.case === "requestPut" && (this.keyspace.get(key)?.modRevision ?? 0) === expected) this.keyspace.touch(key);
    return { header: this.header(), succeeded: true, responses: [this.okResponse(op.case)] };
  }

  /**
   * A write of a fleet-level object (ADR 0009): a create, an update or a delete of the host
   * object behind the key, translated from the native kind kube-apiserver wrote.
   */
  private async hostTxn(
    key: string,
    resource: FleetResource,
    namespace: string | undefined,
    name: string,
    op: NonNullable<TxnRequest["success"][number]["request"]> & { case: "requestPut" | "requestDeleteRange" },
    current: KubeJson | undefined,
    failed: () => MessageInitShape<typeof TxnResponseSchema>,
  ): Promise<MessageInitShape<typeof TxnResponseSchema>> {
    const host = this.host;
    if (!host)
      throw new RpcError(
        grpc.status.FAILED_PRECONDITION,
        `${resource.resource} are not written through this fleet API: it has no host connection`,
      );
    const served = this.keyspace.get(key)?.modRevision ?? 0;
    const value = op.case === "requestPut" ? (parseValue(key, op) as KubeJson) : undefined;
    const deleting = !value || (current && value.metadata?.deletionTimestamp && !current.metadata?.deletionTimestamp);
    if (resource.readOnly) {
      const changesHost = deleting || !current || !sameOnHost(hostBody(resource, value!, current), current);
      const verdict = judgeReadOnlyWrite(resource, name, changesHost);
      if (!verdict.allowed) throw new RpcError(grpc.status.PERMISSION_DENIED, verdict.message);
    }
    try {
      // A deletion timestamp that appears is kube-apiserver's graceful delete: a delete on the host.
      if (deleting) {
        if (!current) return failed();
        const result = await host.delete(resource, namespace, name, current.metadata?.uid);
        if ("deleted" in result || isTranslated(resource)) this.objects.remove(resource, HOST, namespace, name);
        else this.objects.upsert(resource, HOST, result.object);
      } else {
        const body = hostBody(resource, value!, current);
        if (current && sameOnHost(body, current)) {
          // Nothing the host keeps changed (a status write, an annotation the view derives): the
          // key still moves, so the version kube-apiserver hands back is the key's own.
        } else {
          const written = current ? await host.replace(resource, namespace, name, body) : await host.create(resource, namespace, body);
          this.objects.upsert(resource, HOST, written);
        }
      }
    } catch (err) {
      if (err instanceof FleetLevelRefusal) throw new RpcError(grpc.status.INVALID_ARGUMENT, err.message);
      if (err instanceof RpcError) throw err;
      if (isConflict(err)) return failed();
      if (isNotFound(err)) {
        if (current) this.objects.remove(resource, HOST, namespace, name);
        return failed();
      }
      this.log.warn({ key, ...errorFields(err) }, "fleet API write refused by the host");
      throw new RpcError(grpc.status.FAILED_PRECONDITION, (err as Error).message);
    }
    if (op.case === "requestPut" && (this.keyspace.get(key)?.modRevision ?? 0) === served) {
      if (!this.keyspace.get(key)) return failed();
      this.keyspace.touch(key);
    }
    return { header: this.header(), succeeded: true, responses: [this.okResponse(op.case)] };
  }

  /** A chart's test Pod (ADR 0009): created once, in the member running the namespace's fleet workloads. */
  private async createTestHook(
    resource: FleetResource,
    namespace: string,
    pod: MemberObject,
    failed: () => MessageInitShape<typeof TxnResponseSchema>,
  ): Promise<MessageInitShape<typeof TxnResponseSchema>> {
    const name = pod.metadata?.name;
    const cluster = this.objects.testHookMember(namespace);
    if (!cluster)
      throw new RpcError(
        grpc.status.FAILED_PRECONDITION,
        `the test Pod ${namespace}/${name} runs in the member where the release's workloads run, and no member runs ready pods of a fleet Deployment in ${namespace} yet`,
      );
    try {
      this.objects.upsert(resource, cluster, await this.writer.create(cluster, resource, namespace, memberTestPod(pod)));
    } catch (err) {
      if (isConflict(err)) return failed();
      this.log.warn({ namespace, name, cluster, ...errorFields(err) }, "a test Pod was refused by its member");
      throw new RpcError(grpc.status.FAILED_PRECONDITION, (err as Error).message);
    }
    return { header: this.header(), succeeded: true, responses: [this.okResponse("requestPut")] };
  }

  private okResponse(kind: "requestPut" | "requestDeleteRange"): MessageInitShape<typeof ResponseOpSchema> {
    return kind === "requestPut"
      ? { response: { case: "responsePut", value: { header: this.header() } } }
      : { response: { case: "responseDeleteRange", value: { header: this.header(), deleted: 1n } } };
  }

  /**
   * etcd's Watch: each create answers `created`, then the changes from its start revision (or
   * `canceled` with the compact revision when they are gone), then every change as it happens.
   * Changes are sent as they are recorded, so a progress notification at the current revision is
   * always true.
   */
  async watch(stream: BidiServerStream<WatchRequest, MessageInitShape<typeof WatchResponseSchema>>): Promise<void> {
    const watches = new Map<bigint, () => void>();
    const progress = new Set<bigint>();
    const ticker = setInterval(() => {
      for (const id of progress) stream.send({ header: this.header(), watchId: id });
    }, this.options.progressIntervalMs);
    ticker.unref();
    const cancel = (id: bigint) => {
      watches.get(id)?.();
      watches.delete(id);
      progress.delete(id);
    };
    try {
      for await (const req of stream.requests) {
        const u = req.requestUnion;
        if (u.case === "createRequest") {
          const c = u.value;
          const id = ++this.nextWatchId;
          const start = latin1(c.key);
          const end = rangeEndOf(c.rangeEnd);
          const from = Number(c.startRevision);
          const noPut = c.filters.includes(WatchCreateRequest_FilterType.NOPUT);
          const noDelete = c.filters.includes(WatchCreateRequest_FilterType.NODELETE);
          const wanted = (ch: KeyChange) =>
            (end === undefined ? ch.key === start : ch.key >= start && ch.key < end) && !(ch.kv ? noPut : noDelete);
          stream.send({ header: this.header(), watchId: id, created: true });
          let backlog: KeyChange[];
          try {
            backlog = this.keyspace.changesSince(from, start, end);
          } catch (err) {
            if (!(err instanceof CompactedError)) throw err;
            stream.send({
              header: this.header(),
              watchId: id,
              canceled: true,
              compactRevision: BigInt(err.compactRevision),
              cancelReason: "etcdserver: mvcc: required revision has been compacted",
            });
            continue;
          }
          // No await between reading the backlog and subscribing: no change can fall in between.
          const send = (changes: KeyChange[]) => {
            const events = changes.filter(wanted);
            if (events.length === 0) return;
            stream.send({
              header: { ...this.header(), revision: BigInt(events[events.length - 1]!.revision) },
              watchId: id,
              events: events.map((e) => toEvent(e, c.prevKv)),
            });
          };
          send(backlog);
          watches.set(
            id,
            this.keyspace.subscribe((ch) => send([ch])),
          );
          if (c.progressNotify) progress.add(id);
        } else if (u.case === "cancelRequest") {
          const id = u.value.watchId;
          if (!watches.has(id)) continue;
          cancel(id);
          stream.send({ header: this.header(), watchId: id, canceled: true });
        } else if (u.case === "progressRequest") {
          // etcd answers a progress request on the stream with watch id -1 at its current revision.
          stream.send({ header: this.header(), watchId: -1n });
        }
      }
    } finally {
      clearInterval(ticker);
      for (const id of [...watches.keys()]) cancel(id);
    }
  }

  leaseGrant(ttl: bigint, nowMs = Date.now()): { header: ReturnType<FleetStorage["header"]>; ID: bigint; TTL: bigint } {
    return { header: this.header(), ID: this.leases.grant(Number(ttl), nowMs), TTL: ttl };
  }

  /** Deletes the bookkeeping keys whose lease ran out (the server calls it every second). */
  expireLeases(nowMs = Date.now()): void {
    for (const key of this.leases.expire(nowMs)) this.keyspace.delete(key);
  }

  /** etcd's Compact, which kube-apiserver sends unless started with `--etcd-compaction-interval=0`. */
  compact(revision: bigint) {
    try {
      this.keyspace.compact(Number(revision));
    } catch (err) {
      if (err instanceof CompactedError) throw compacted(err);
      if (err instanceof FutureRevisionError) throw futureRevision();
      throw err;
    }
    return { header: this.header() };
  }

  /** The figures kube-apiserver reads (its storage size metric); the version is the etcd API this serves. */
  status() {
    const bytes = BigInt(this.keyspace.bytes);
    return { header: this.header(), version: "3.6.0", dbSize: bytes, dbSizeInUse: bytes, leader: 1n, raftTerm: 1n };
  }
}

/** The JSON kube-apiserver put; anything else means it was started without JSON storage. */
function parseValue(key: string, op: { case: string; value: unknown }): unknown {
  const value = (op.value as { value?: Uint8Array }).value ?? new Uint8Array();
  try {
    return JSON.parse(Buffer.from(value).toString("utf8"));
  } catch {
    throw new RpcError(
      grpc.status.INVALID_ARGUMENT,
      `the value written to ${key} is not JSON: start kube-apiserver with --storage-media-type=application/json`,
    );
  }
}

/** The namespace and name a storage key names. */
function keyParts(resource: FleetResource, key: string): { namespace: string | undefined; name: string } {
  const rest = key.slice(`${storageRoot}${resource.storagePrefix}/`.length);
  if (!resource.namespaced) return { namespace: undefined, name: rest };
  const slash = rest.indexOf("/");
  return { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/** Serves the storage on `addr` (host:port, loopback: kube-apiserver runs beside the gateway). */
export async function serveFleetStorage(storage: FleetStorage, addr: string): Promise<{ server: grpc.Server; port: number }> {
  // kube-apiserver's etcd client sends large ranges and expects large answers (a full page).
  const server = new grpc.Server({ "grpc.max_receive_message_length": 64 << 20, "grpc.max_send_message_length": -1 });
  addService(server, KV, {
    range: async (req) => storage.range(req),
    txn: (req) => storage.txn(req),
    compact: async (req) => storage.compact(req.revision),
  });
  addService(server, Watch, { watch: (stream) => storage.watch(stream) });
  addService(server, Lease, { leaseGrant: async (req) => storage.leaseGrant(req.TTL) });
  addService(server, Maintenance, { status: async () => storage.status() });
  const port = await listen(server, addr);
  // Unref'd: it never holds the process open, and after a shutdown it only finds nothing to expire.
  setInterval(() => storage.expireLeases(), 1000).unref();
  return { server, port };
}
