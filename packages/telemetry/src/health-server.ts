/**
 * The probe and scrape endpoint every service exposes: `/healthz` (the process is alive),
 * `/readyz` (every registered readiness check passes; the body says which fail) and `/metrics`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ReadinessCheck = () => boolean | string;

export class HealthServer {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly server: Server;

  constructor(metricsHandler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/healthz" || path === "/livez") return this.reply(res, 200, "ok");
      if (path === "/readyz") {
        const failing = this.failing();
        return failing.length === 0 ? this.reply(res, 200, "ok") : this.reply(res, 503, failing.join("\n"));
      }
      if (path === "/metrics") return metricsHandler(req, res);
      this.reply(res, 404, "not found");
    });
  }

  /** Registers a check; it returns true when ready, or false / a reason when not. */
  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  failing(): string[] {
    const out: string[] = [];
    for (const [name, check] of this.checks) {
      const result = check();
      if (result !== true) out.push(`${name}: ${result === false ? "not ready" : result}`);
    }
    return out;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", (err) => reject(new Error(`health server: cannot listen on ${host}:${port}`, { cause: err })));
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private reply(res: ServerResponse, code: number, body: string): void {
    res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
    res.end(body + "\n");
  }
}
