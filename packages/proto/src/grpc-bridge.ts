/**
 * Serves and calls protobuf-es services with @grpc/grpc-js. protobuf-es generates descriptors
 * and message types but no transport; grpc-js wants a ServiceDefinition of paths and
 * (de)serializers. This module derives one from the other, so a .proto change flows to both ends
 * with no hand-written glue. Unary, server-streaming and bidi-streaming methods are supported (the
 * last for etcd's Watch, which the fleet API's storage shim serves).
 */
import * as grpc from "@grpc/grpc-js";
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethod,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";

type Method = Pick<DescMethod, "input" | "output" | "methodKind">;

/** The server side of one method: unary returns a message, server-streaming yields messages. */
type MethodImpl<M extends Method> = M["methodKind"] extends "unary"
  ? (request: MessageShape<M["input"]>, call: grpc.ServerUnaryCall<unknown, unknown>) => Promise<MessageInitShape<M["output"]>>
  : M["methodKind"] extends "server_streaming"
    ? (request: MessageShape<M["input"]>, call: grpc.ServerWritableStream<unknown, unknown>) => AsyncIterable<MessageInitShape<M["output"]>>
    : M["methodKind"] extends "bidi_streaming"
      ? (stream: BidiServerStream<MessageShape<M["input"]>, MessageInitShape<M["output"]>>) => Promise<void>
      : never;

/**
 * The server side of a bidi stream: requests arrive as an async iterable; responses are sent
 * whenever the implementation likes (etcd's Watch answers from change callbacks, not per request).
 * The call ends when the implementation's promise settles.
 */
export interface BidiServerStream<Req, Res> {
  readonly requests: AsyncIterable<Req>;
  send(response: Res): void;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

/** The client side of a bidi stream. */
export interface BidiClientStream<Req, Res> {
  send(request: Req): void;
  /** Half-closes the request side. */
  end(): void;
  readonly responses: AsyncIterable<Res>;
  cancel(): void;
}

export type ServiceImpl<S extends GenServiceMethods> = { [K in keyof S]: MethodImpl<S[K]> };

/** The client side: unary methods return a promise, server-streaming ones an async iterable. */
type MethodClient<M extends Method> = M["methodKind"] extends "unary"
  ? (request: MessageInitShape<M["input"]>, options?: { deadlineMs?: number }) => Promise<MessageShape<M["output"]>>
  : M["methodKind"] extends "server_streaming"
    ? (request: MessageInitShape<M["input"]>, options?: { signal?: AbortSignal }) => AsyncIterable<MessageShape<M["output"]>>
    : M["methodKind"] extends "bidi_streaming"
      ? () => BidiClientStream<MessageInitShape<M["input"]>, MessageShape<M["output"]>>
      : never;

export type ServiceClient<S extends GenServiceMethods> = { [K in keyof S]: MethodClient<S[K]> } & { close(): void };

function serializer<D extends DescMessage>(desc: D) {
  return {
    serialize: (msg: MessageShape<D>) => Buffer.from(toBinary(desc, msg)),
    deserialize: (buf: Buffer) => fromBinary(desc, buf),
  };
}

/** The grpc-js ServiceDefinition of a protobuf-es service. */
export function grpcDefinition<S extends GenServiceMethods>(service: GenService<S>): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    const input = serializer(method.input);
    const output = serializer(method.output);
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: input.serialize as (msg: unknown) => Buffer,
      requestDeserialize: input.deserialize,
      responseSerialize: output.serialize as (msg: unknown) => Buffer,
      responseDeserialize: output.deserialize,
    };
  }
  return definition;
}

/** Maps a thrown error to a gRPC status; errors that carry a `grpcCode` keep it. */
function toServiceError(err: unknown): grpc.ServiceError {
  const code = (err as { grpcCode?: grpc.status }).grpcCode ?? grpc.status.INTERNAL;
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

/** An error that reaches the client with a chosen gRPC status code. */
export class RpcError extends Error {
  readonly grpcCode: grpc.status;
  constructor(grpcCode: grpc.status, message: string) {
    super(message);
    this.grpcCode = grpcCode;
  }
}

/** Adds a protobuf-es service implementation to a grpc-js server. */
export function addService<S extends GenServiceMethods>(server: grpc.Server, service: GenService<S>, impl: ServiceImpl<S>): void {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const fn = (impl as Record<string, ((...args: unknown[]) => unknown) | undefined>)[method.localName];
    if (!fn) throw new Error(`${service.typeName}: no implementation for ${method.name}`);
    if (method.methodKind === "unary") {
      handlers[method.localName] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        (fn(call.request, call) as Promise<MessageInitShape<DescMessage>>)
          .then((res) => callback(null, create(method.output, res)))
          .catch((err: unknown) => callback(toServiceError(err)));
      };
    } else if (method.methodKind === "server_streaming") {
      handlers[method.localName] = async (call: grpc.ServerWritableStream<unknown, unknown>) => {
        try {
          for await (const res of fn(call.request, call) as AsyncIterable<MessageInitShape<DescMessage>>) {
            if (call.cancelled) break;
            if (!call.write(create(method.output, res))) {
              await new Promise((resolve) => call.once("drain", resolve));
            }
          }
          call.end();
        } catch (err) {
          call.destroy(toServiceError(err));
        }
      };
    } else if (method.methodKind === "bidi_streaming") {
      handlers[method.localName] = (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        const abort = new AbortController();
        call.on("cancelled", () => abort.abort());
        call.on("close", () => abort.abort());
        const stream: BidiServerStream<unknown, MessageInitShape<DescMessage>> = {
          requests: call as AsyncIterable<unknown>,
          send: (res) => {
            if (!call.cancelled && !call.writableEnded) call.write(create(method.output, res));
          },
          signal: abort.signal,
        };
        (fn(stream) as Promise<void>)
          .then(() => {
            if (!call.writableEnded) call.end();
          })
          .catch((err: unknown) => call.destroy(toServiceError(err)))
          .finally(() => abort.abort());
      };
    } else {
      throw new Error(`${service.typeName}.${method.name}: ${method.methodKind} methods are not supported by the bridge`);
    }
  }
  server.addService(grpcDefinition(service), handlers);
}

/** A typed client for a protobuf-es service over grpc-js. */
export function createClient<S extends GenServiceMethods>(
  service: GenService<S>,
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): ServiceClient<S> {
  const Ctor = grpc.makeGenericClientConstructor(grpcDefinition(service), service.typeName);
  const raw = new Ctor(address, credentials) as unknown as Record<string, (...args: unknown[]) => unknown> & grpc.Client;
  const client: Record<string, unknown> = { close: () => raw.close() };
  for (const method of service.methods) {
    const call = raw[method.localName]!.bind(raw);
    if (method.methodKind === "unary") {
      client[method.localName] = (request: MessageInitShape<DescMessage>, options: { deadlineMs?: number } = {}) =>
        new Promise((resolve, reject) => {
          const callOptions: grpc.CallOptions = options.deadlineMs ? { deadline: Date.now() + options.deadlineMs } : {};
          call(create(method.input, request), new grpc.Metadata(), callOptions, (err: grpc.ServiceError | null, res: unknown) =>
            err ? reject(err) : resolve(res),
          );
        });
    } else if (method.methodKind === "server_streaming") {
      client[method.localName] = (request: MessageInitShape<DescMessage>, options: { signal?: AbortSignal } = {}) => {
        const stream = call(create(method.input, request)) as grpc.ClientReadableStream<unknown>;
        options.signal?.addEventListener("abort", () => stream.cancel(), { once: true });
        return stream as AsyncIterable<unknown>;
      };
    } else if (method.methodKind === "bidi_streaming") {
      client[method.localName] = () => {
        const stream = call() as grpc.ClientDuplexStream<unknown, unknown>;
        // A cancelled call ends the iteration with a CANCELLED error; the caller asked for it.
        const responses = (async function* () {
          try {
            for await (const msg of stream) yield msg;
          } catch (err) {
            if ((err as grpc.ServiceError).code !== grpc.status.CANCELLED) throw err;
          }
        })();
        return {
          send: (req: MessageInitShape<DescMessage>) => stream.write(create(method.input, req)),
          end: () => stream.end(),
          responses,
          cancel: () => stream.cancel(),
        };
      };
    }
  }
  return client as ServiceClient<S>;
}

/** Binds `server` to `addr` (host:port, port 0 for any) and resolves with the bound port. */
export function listen(server: grpc.Server, addr: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(new Error(`gRPC: cannot listen on ${addr}`, { cause: err })) : resolve(port),
    ),
  );
}
