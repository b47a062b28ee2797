/** etcd's v3 API subset that kube-apiserver's storage uses (proto/etcdserverpb, proto/mvccpb). */
export * from "./gen/etcdserverpb/rpc_pb.js";
export * from "./gen/mvccpb/kv_pb.js";
