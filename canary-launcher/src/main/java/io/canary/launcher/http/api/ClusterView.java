package io.canary.launcher.http.api;

import java.util.List;

/** {@code GET /cluster}: every member as the answering node sees it. */
public record ClusterView(String node, String coordinator, List<MemberView> nodes) {
}
