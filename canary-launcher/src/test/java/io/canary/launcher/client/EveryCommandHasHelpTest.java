package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.CanaryCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Walks the whole {@code canary} command tree: every command and subcommand explains itself with --help. */
class EveryCommandHasHelpTest {

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> out) {
        out.add(path);
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandName().equals(name)) {
                List<String> p = new ArrayList<>(path);
                p.add(name);
                collect(sub, p, out);
            }
        });
    }

    @Test
    void everyCommandPrintsUsageWithADescriptionAndExitsZero() {
        List<List<String>> paths = new ArrayList<>();
        collect(CanaryCli.commandLine(), List.of(), paths);

        assertThat(paths).extracting(p -> String.join(" ", p)).contains("query", "weights set", "rollout start",
                "rollout status", "rollout pause", "rollout resume", "rollout promote", "rollout abort", "load", "demo",
                "log show", "node");
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            StringWriter out = new StringWriter();
            int code = CanaryCli.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args.toArray(String[]::new));
            assertThat(code).as("canary %s --help", String.join(" ", path)).isZero();
            String text = out.toString();
            assertThat(text).as("canary %s --help", String.join(" ", path)).startsWith("Usage: canary");
            assertThat(text.lines().skip(1).filter(l -> !l.isBlank() && !l.startsWith(" ")).findFirst())
                    .as("a description line in canary %s --help", String.join(" ", path)).isPresent();
        }
    }

    @Test
    void aMistypedOptionIsOneLineAndAHintNotAStackTrace() {
        StringWriter err = new StringWriter();
        int code = CanaryCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "rollout", "start", "--canary", "v2", "--stepz", "5,100");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).doesNotContain("\tat ").contains("--stepz").contains("--help");
    }
}
