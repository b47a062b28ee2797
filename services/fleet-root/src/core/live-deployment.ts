/**
 * What fleet-root reads of a member Deployment: the parts of `apps/v1` Deployment its decisions
 * use. client-node's V1Deployment satisfies it, and so do the plain objects of unit tests.
 */
export interface LiveDeployment {
  metadata?: {
    name?: string;
    namespace?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    replicas?: number;
    paused?: boolean;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Array<{ type: string; status: string; reason?: string }>;
  };
}
