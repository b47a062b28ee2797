/**
 * How many replicas of a workload the fleet can place, from the scheduler's `Simulate` (the same
 * decision it would make, written nowhere): a scale-up stops there instead of making replicas that
 * stay Pending. Tries the scheduler's addresses in order.
 */
import { createClient, Scheduler, type ServiceClient } from "@spillway/proto";

export class FleetCapacity {
  private readonly clients: Array<{ addr: string; client: ServiceClient<(typeof Scheduler)["method"]> }>;

  constructor(addrs: string[]) {
    this.clients = addrs.map((addr) => ({ addr, client: createClient(Scheduler, addr) }));
  }

  /** Replicas placeable of `replicas` asked, and what is short beyond them. */
  async placeable(kind: string, namespace: string, name: string, replicas: number): Promise<{ replicas: number; short: string }> {
    const errors: string[] = [];
    for (const { addr, client } of this.clients) {
      try {
        const res = await client.simulate({ workload: { kind, namespace, name }, replicas }, { deadlineMs: 5000 });
        return { replicas: replicas - res.unschedulableReplicas, short: res.message };
      } catch (err) {
        errors.push(`${addr}: ${(err as Error).message}`);
      }
    }
    throw new Error(`unable to ask the scheduler what the fleet can place (${errors.join("; ")})`);
  }

  close(): void {
    for (const c of this.clients) c.client.close();
  }
}
