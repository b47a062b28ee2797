/**
 * Member health as a pure state machine over probe results.
 *
 * - Going NotReady is never delayed beyond `failureThreshold` consecutive failed probes: an outage
 *   must show quickly (with 2 s probes and a threshold of 3, within ~6–10 s).
 * - Coming back needs `successThreshold` consecutive successes AND at least `holdDownMs` since the
 *   last transition, so a member that flaps is reported down for at least the hold-down each time
 *   instead of toggling with every probe.
 * - `lastTransitionMs` moves only on a real transition.
 */

export type HealthReason = "Ready" | "Unreachable" | "Unauthorized" | "TLSError" | "APIServerNotReady" | "Probing";

export interface ProbeResult {
  ok: boolean;
  reason?: HealthReason;
  message?: string;
}

export interface HealthConfig {
  failureThreshold: number;
  successThreshold: number;
  holdDownMs: number;
}

export const defaultHealthConfig: HealthConfig = { failureThreshold: 3, successThreshold: 1, holdDownMs: 10_000 };

export interface HealthState {
  /** undefined until the first verdict. */
  ready: boolean | undefined;
  reason: HealthReason;
  message: string;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastTransitionMs: number;
}

export const initialHealth = (now: number): HealthState => ({
  ready: undefined,
  reason: "Probing",
  message: "no probe has completed yet",
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  lastTransitionMs: now,
});

export function observeProbe(state: HealthState, probe: ProbeResult, now: number, config: HealthConfig = defaultHealthConfig): HealthState {
  if (probe.ok) {
    const successes = state.consecutiveSuccesses + 1;
    const next = { ...state, consecutiveFailures: 0, consecutiveSuccesses: successes };
    if (state.ready === true) return { ...next, reason: "Ready", message: "kube-apiserver /readyz answers ok" };
    const heldDown = state.ready === false && now - state.lastTransitionMs < config.holdDownMs;
    if (successes < config.successThreshold || heldDown) {
      return state.ready === false
        ? {
            ...next,
            message: `${state.message} (recovering: healthy for ${successes} probe(s), held down until ${config.holdDownMs / 1000}s after the outage began)`,
          }
        : next;
    }
    return { ...next, ready: true, reason: "Ready", message: "kube-apiserver /readyz answers ok", lastTransitionMs: now };
  }
  const failures = state.consecutiveFailures + 1;
  const reason = probe.reason ?? "Unreachable";
  const message = probe.message ?? "probe failed";
  const next = { ...state, consecutiveFailures: failures, consecutiveSuccesses: 0 };
  if (state.ready === false) return { ...next, reason, message };
  if (failures < config.failureThreshold) return next;
  return { ...next, ready: false, reason, message, lastTransitionMs: now };
}
