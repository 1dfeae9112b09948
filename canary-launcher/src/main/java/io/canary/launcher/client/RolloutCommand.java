package io.canary.launcher.client;

import io.canary.launcher.http.api.StateView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code canary rollout}: start, watch and steer a progressive rollout. */
@Command(name = "rollout", mixinStandardHelpOptions = true, resourceBundle = "io.canary.launcher.HelpDefaults",
        description = {"Starts, watches and steers a progressive rollout: the coordinator moves the canary through its "
                + "steps (default ${bundle:default.rolloutSteps} percent) while its merged cluster health passes the thresholds, "
                + "and rolls it back when it fails them.",
                "Every subcommand goes through any node; participants forward to the coordinator."},
        subcommands = {RolloutStartCommand.class, RolloutStatusCommand.class, RolloutCommand.Pause.class,
                RolloutCommand.Resume.class, RolloutCommand.Promote.class, RolloutCommand.Abort.class})
public final class RolloutCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: start, status, pause, resume, promote or abort");
    }

    /** The four manual controls: one POST each, printing where the rollout stands after it. */
    abstract static class Control extends ClientCommand {
        @Mixin
        NodeOptions nodeOptions;

        @Mixin
        TargetNode target;

        private final String action;
        private final String done;

        Control(String action, String done) {
            this.action = action;
            this.done = done;
        }

        @Override
        protected int execute() {
            DataPlaneClient client = client(nodeOptions);
            StateView s;
            try {
                s = target.call(nodeOptions.resolve(env()), node -> client.controlRollout(node, action)).value();
            } catch (CliException.Refused e) {
                throw new CliException("cannot " + action + " the rollout: " + e.error() + " (HTTP " + e.status() + ")"
                        + (e.status() == 504 ? "; it may still take effect: check with canary rollout status" : ""));
            }
            out().println("Rollout " + done + ".");
            out().println(RolloutFormat.progressBar(s.rollout(), RolloutFormat.canaryPercent(s.rollout(), s)));
            out().println("  Routing state v" + s.version() + ": " + Formats.percentWeights(s.weights()));
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Holds the rollout at its current step: analyses stop until resume.")
    static final class Pause extends Control {
        Pause() {
            super("pause", "paused");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Continues a paused rollout: analyses start again at the current step.")
    static final class Resume extends Control {
        Resume() {
            super("resume", "resumed");
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Moves the canary to the next step now, without waiting for a passing analysis.")
    static final class Promote extends Control {
        Promote() {
            super("promote", "promoted");
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Rolls back now: all traffic returns to the baseline.")
    static final class Abort extends Control {
        Abort() {
            super("abort", "aborted");
        }
    }
}
