#!/usr/bin/env node
/**
 * `node forward.ts ADDRESS PORT...`: for the host node's pods, which cannot reach this machine's
 * loopback, listens on ADDRESS:PORT for each PORT and pipes every connection to 127.0.0.1:PORT,
 * byte for byte (TLS passes through untouched), as docker-proxy does for published ports.
 */
import { connect, createServer } from "node:net";

const [address, ...ports] = process.argv.slice(2);
if (!address || ports.length === 0) {
  console.error("usage: forward.ts ADDRESS PORT...");
  process.exit(2);
}
for (const port of ports.map(Number)) {
  createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
  })
    .on("error", (err) => {
      console.error(`forward ${address}:${port}: ${err.message}`);
      process.exit(1);
    })
    .listen(port, address, () => console.log(`forwarding ${address}:${port} → 127.0.0.1:${port}`));
}
