/** The real kubectl, as users run it, against the context that plays `role` (the testbed's one wrapper). */
import { runKubectl, type KubectlResult } from "@spillway/testbed";
import { contextOf, e2eKubeconfig, kubectlBin, type ApiRole } from "./env.ts";

export type { KubectlResult };

export const kubectl = (role: ApiRole, args: string[], input?: string): Promise<KubectlResult> =>
  runKubectl({ context: contextOf(role), kubeconfig: e2eKubeconfig, bin: kubectlBin }, args, input);
