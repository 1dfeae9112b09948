package io.canary.launcher.http.api;

import io.canary.PeerStatus;

/**
 * One member in {@code GET /cluster}.
 *
 * @param role {@code coordinator} or {@code participant}
 * @param committedVersion last reported committed version, -1 if never heard from
 * @param lastHeardAt epoch milliseconds, 0 if never
 */
public record MemberView(String id, String role, boolean reachable, long committedVersion, boolean stale,
                         long lastHeardAt) {

    public static MemberView of(PeerStatus p) {
        return new MemberView(p.nodeId(), p.coordinator() ? "coordinator" : "participant", p.reachable(),
                p.committedVersion(), p.stale(), p.lastHeardAt());
    }
}
