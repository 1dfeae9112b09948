package io.canary.transport.local;

import io.canary.transport.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * The faults a {@link LocalNetwork} applies, and the decision for one message. Not thread-safe: the
 * network guards it with its lock, which also serialises the draws from the seeded random so that the
 * same sends give the same outcome.
 */
final class FaultRules {

    /** A directed link. */
    record Link(String from, String to) {
    }

    /** Inclusive bounds of a delay in milliseconds. */
    record DelayRange(long minMillis, long maxMillis) {
        static final DelayRange NONE = new DelayRange(0, 0);

        long draw(Random random) {
            return minMillis == maxMillis ? minMillis : minMillis + (long) (random.nextDouble() * (maxMillis - minMillis + 1));
        }
    }

    /** Delivery delays, one per copy to deliver; empty when the message is lost, with the reason. */
    record Decision(long[] delaysMillis, String dropReason) {
        boolean dropped() {
            return dropReason != null;
        }
    }

    private final Set<Link> cut = new HashSet<>();
    private final Set<String> isolated = new HashSet<>();
    private final Map<Link, List<Class<? extends Message>>> droppedOnLink = new HashMap<>();
    private final List<Class<? extends Message>> droppedEverywhere = new ArrayList<>();
    private final Map<Link, Double> linkDropProbability = new HashMap<>();
    private final Map<Link, DelayRange> linkDelay = new HashMap<>();
    private double dropProbability;
    private DelayRange delay = DelayRange.NONE;
    private double duplicateProbability;
    private double reorderProbability;
    private long reorderMaxMillis;

    void cut(String from, String to) {
        cut.add(new Link(from, to));
    }

    void restore(String from, String to) {
        cut.remove(new Link(from, to));
    }

    void isolate(String node) {
        isolated.add(node);
    }

    void reconnect(String node) {
        isolated.remove(node);
        cut.removeIf(l -> l.from.equals(node) || l.to.equals(node));
    }

    void drop(String from, String to, Class<? extends Message> type) {
        droppedOnLink.computeIfAbsent(new Link(from, to), k -> new ArrayList<>()).add(type);
    }

    void dropEverywhere(Class<? extends Message> type) {
        droppedEverywhere.add(type);
    }

    void dropProbability(double p) {
        dropProbability = p;
    }

    void dropProbability(String from, String to, double p) {
        linkDropProbability.put(new Link(from, to), p);
    }

    void delay(long minMillis, long maxMillis) {
        delay = new DelayRange(minMillis, maxMillis);
    }

    void delay(String from, String to, long minMillis, long maxMillis) {
        linkDelay.put(new Link(from, to), new DelayRange(minMillis, maxMillis));
    }

    void duplicateProbability(double p) {
        duplicateProbability = p;
    }

    void reorder(double probability, long maxExtraMillis) {
        reorderProbability = probability;
        reorderMaxMillis = maxExtraMillis;
    }

    /** Back to a perfect network: no loss, no delay, no duplication, no reordering. */
    void clear() {
        cut.clear();
        isolated.clear();
        droppedOnLink.clear();
        droppedEverywhere.clear();
        linkDropProbability.clear();
        linkDelay.clear();
        dropProbability = 0;
        delay = DelayRange.NONE;
        duplicateProbability = 0;
        reorderProbability = 0;
        reorderMaxMillis = 0;
    }

    /**
     * Decides the fate of one message. The random draws happen in a fixed order so that a run is
     * reproducible from the network's seed.
     */
    Decision decide(String from, String to, Message message, Random random) {
        Link link = new Link(from, to);
        String reason = ruleDropReason(link, message);
        if (reason != null) {
            return new Decision(new long[0], reason);
        }
        double p = linkDropProbability.getOrDefault(link, dropProbability);
        if (p > 0 && random.nextDouble() < p) {
            return new Decision(new long[0], "random loss (p=" + p + ")");
        }
        int copies = duplicateProbability > 0 && random.nextDouble() < duplicateProbability ? 2 : 1;
        DelayRange range = linkDelay.getOrDefault(link, delay);
        long[] delays = new long[copies];
        for (int i = 0; i < copies; i++) {
            long d = range.draw(random);
            if (reorderProbability > 0 && random.nextDouble() < reorderProbability) {
                d += (long) (random.nextDouble() * (reorderMaxMillis + 1));
            }
            delays[i] = d;
        }
        return new Decision(delays, null);
    }

    private String ruleDropReason(Link link, Message message) {
        if (isolated.contains(link.from)) {
            return link.from + " is isolated";
        }
        if (isolated.contains(link.to)) {
            return link.to + " is isolated";
        }
        if (cut.contains(link)) {
            return "link " + link.from + "->" + link.to + " is cut";
        }
        for (Class<? extends Message> type : droppedEverywhere) {
            if (type.isInstance(message)) {
                return type.getSimpleName() + " is dropped on every link";
            }
        }
        for (Class<? extends Message> type : droppedOnLink.getOrDefault(link, List.of())) {
            if (type.isInstance(message)) {
                return type.getSimpleName() + " is dropped on " + link.from + "->" + link.to;
            }
        }
        return null;
    }

    static void checkProbability(String field, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(field + " must be in [0,1], got " + p);
        }
    }

    static void checkNode(String field, String node) {
        Objects.requireNonNull(node, field);
        if (node.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }
}
