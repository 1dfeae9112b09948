package io.canary.internal.protocol;

import io.canary.transport.Message;
import java.util.List;
import java.util.stream.Collectors;

/** Small helpers to look into a list of effects. */
final class Fx {
    private Fx() {
    }

    static <T extends Effect> List<T> of(List<Effect> effects, Class<T> type) {
        return effects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    static <M extends Message> List<M> sent(List<Effect> effects, Class<M> type) {
        return of(effects, Effect.Send.class).stream().map(Effect.Send::message)
                .filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    static <M extends Message> List<String> recipients(List<Effect> effects, Class<M> type) {
        return of(effects, Effect.Send.class).stream().filter(s -> type.isInstance(s.message()))
                .map(Effect.Send::to).sorted().collect(Collectors.toList());
    }

    static int indexOf(List<Effect> effects, java.util.function.Predicate<Effect> p) {
        for (int i = 0; i < effects.size(); i++) {
            if (p.test(effects.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static Outcome outcome(List<Effect> effects, long callId) {
        return of(effects, Effect.Complete.class).stream().filter(c -> c.callId() == callId)
                .map(Effect.Complete::outcome).findFirst().orElse(null);
    }
}
