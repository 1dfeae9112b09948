package io.canary.internal.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The deterministic succession order of a cluster, and who each node talks to so that background
 * traffic grows with N, not N².
 *
 * <p>The order is the election order: the preferred coordinator first, then the other members in
 * configuration order. Every node computes the same order from its configuration. After losing the
 * coordinator, the first member of the order other than the coordinator stands first (its election
 * timeout has the smallest stagger), then the next, and so on: those are its <em>successors</em>.
 *
 * <p>Fan-in: a node sends its health snapshots, and (when it coordinates nothing) its heartbeats, to
 * its term's coordinator and the coordinator's {@link #WARM_SUCCESSORS} first successors only. The
 * coordinator and those successors heartbeat every member (two-way evidence for the commit rules and
 * the lease, warm before a successor takes over). While no coordinator is known, a node heartbeats
 * and reports to the first {@code WARM_SUCCESSORS + 1} members of the order (the likely winners).
 * With three members everyone is the coordinator or a successor: nothing changes for the reference
 * layout.
 *
 * <p>Immutable; safe from any thread.
 */
public final class Succession {

    /** How many successors receive every node's health and heartbeats (so they can take over warm). */
    public static final int WARM_SUCCESSORS = 2;

    private final List<String> order;

    /**
     * @param members every member, in configuration order
     * @param preferred the preferred coordinator (first in the order); must be a member
     */
    public Succession(List<String> members, String preferred) {
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(preferred, "preferred");
        if (!members.contains(preferred)) {
            throw new IllegalArgumentException("preferred coordinator " + preferred + " is not among the members " + members);
        }
        List<String> o = new ArrayList<>(members.size());
        o.add(preferred);
        for (String m : members) {
            if (!m.equals(preferred)) {
                o.add(m);
            }
        }
        this.order = Collections.unmodifiableList(o);
    }

    /** The election order: the preferred coordinator first. */
    public List<String> order() {
        return order;
    }

    /** The position of {@code node} in the order (0 for the preferred coordinator), -1 if not a member. */
    public int rank(String node) {
        return order.indexOf(node);
    }

    /** The first {@code k} members of the order other than {@code coordinator} (who stand first after it). */
    public List<String> successors(String coordinator, int k) {
        List<String> out = new ArrayList<>(k);
        for (String m : order) {
            if (out.size() == k) {
                break;
            }
            if (!m.equals(coordinator)) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * True if {@code node} is {@code coordinator} or one of its warm successors ("" for no known
     * coordinator: then the first {@code WARM_SUCCESSORS + 1} of the order).
     */
    public boolean isHub(String node, String coordinator) {
        return hubs(coordinator).contains(node);
    }

    /** The coordinator and its warm successors, in order; without a known coordinator the head of the order. */
    public Set<String> hubs(String coordinator) {
        Set<String> hubs = new LinkedHashSet<>();
        if (coordinator.isEmpty()) {
            hubs.addAll(order.subList(0, Math.min(order.size(), WARM_SUCCESSORS + 1)));
        } else {
            hubs.add(coordinator);
            hubs.addAll(successors(coordinator, WARM_SUCCESSORS));
        }
        return hubs;
    }

    /**
     * Who {@code self} sends its periodic traffic to: every other member if it is a hub (the
     * coordinator or a warm successor), else the hubs only.
     */
    public List<String> fanOut(String self, String coordinator) {
        Set<String> hubs = hubs(coordinator);
        List<String> out = new ArrayList<>();
        if (hubs.contains(self)) {
            for (String m : order) {
                if (!m.equals(self)) {
                    out.add(m);
                }
            }
        } else {
            for (String h : hubs) {
                if (!h.equals(self)) {
                    out.add(h);
                }
            }
        }
        return out;
    }

    /** Who receives {@code self}'s health snapshots: the hubs other than itself (never all to all). */
    public List<String> healthTargets(String self, String coordinator) {
        List<String> out = new ArrayList<>();
        for (String h : hubs(coordinator)) {
            if (!h.equals(self)) {
                out.add(h);
            }
        }
        return out;
    }
}
