/**
 * The restart gate every controller that hands something out across members applies (fleet-root
 * its surge budget, the stateful-orchestrator its ordinals): a member that may hold what was
 * handed out before a restart must have been listed since the restart before anything is
 * written, or the same budget or ordinal could be handed out twice.
 */
export interface MemberSighting {
  name: string;
  /** Its MemberCluster exists. */
  registered: boolean;
  ready: boolean;
  /** Listed since this process started. */
  synced: boolean;
}

/** The members that hold writes back: registered, possibly holding (or Ready), not yet listed. */
export function unseenMembers<M extends MemberSighting>(members: readonly M[], mayHold: (name: string) => boolean): M[] {
  return members.filter((m) => m.registered && (mayHold(m.name) || m.ready) && !m.synced);
}
