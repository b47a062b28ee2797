/**
 * What every command takes, as kubectl spells it: --kubeconfig, --context, -n/--namespace,
 * -o/--output, --no-headers. kubectl hands a plugin its arguments untouched, so the plugin parses
 * them itself; KUBECONFIG in the environment works as for kubectl.
 */
import { KubeConfig } from "@kubernetes/client-node";

export interface CliOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  output?: string;
  noHeaders: boolean;
  allNamespaces?: boolean;
  /** -l: a label selector, as kubectl takes it. */
  selector?: string;
}

export interface Kube {
  kc: KubeConfig;
  namespace: string;
}

export function connect(o: CliOptions): Kube {
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  if (o.context) {
    if (!kc.getContextObject(o.context)) throw new Error(`context was not found for specified context: ${o.context}`);
    kc.setCurrentContext(o.context);
  }
  const namespace = o.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  return { kc, namespace };
}

export function checkOutput(o: CliOptions, allowed: readonly string[]): void {
  const format = o.output?.startsWith("jsonpath=") ? "jsonpath" : o.output;
  if (format !== undefined && !allowed.includes(format))
    throw new Error(`unable to match a printer suitable for the output format "${o.output}", allowed formats are: ${allowed.join(",")}`);
}
