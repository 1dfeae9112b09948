package io.canary.launcher.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue: three {@code ./canary node ...} started at once on a fresh checkout all rebuilt the
 * same tree and failed with compile errors. On a fresh copy of this tree (no {@code target/}),
 * three {@code ./canary --help} at once must all succeed, and only one of them may build.
 */
class CanaryScriptConcurrentStartTest {
    private static final Set<String> SKIPPED = Set.of("target", ".git", "logs", ".idea", ".vscode");
    /** Bounded: one build of three modules on a busy two-core machine, then three JVM starts. */
    private static final long DEADLINE_MINUTES = 8;

    @TempDir
    Path tmp;

    @Test
    void threeConcurrentStartsOnAFreshTreeBuildOnceAndAllSucceed() throws Exception {
        Path tree = tmp.resolve("checkout");
        copyTree(repositoryRoot(), tree);
        // Offline: the build must only use what the local Maven repository already holds.
        Files.createDirectories(tree.resolve(".mvn"));
        Files.writeString(tree.resolve(".mvn/maven.config"), "-o\n");
        assertThat(tree.resolve("canary-launcher/target")).doesNotExist();

        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(new ProcessBuilder("bash", tree.resolve("canary").toString(), "--help")
                    .directory(tree.toFile())
                    .redirectOutput(tmp.resolve("run-" + i + ".out").toFile())
                    .redirectError(tmp.resolve("run-" + i + ".err").toFile())
                    .start());
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(DEADLINE_MINUTES);
        int builds = 0;
        for (int i = 0; i < runs.size(); i++) {
            Process p = runs.get(i);
            boolean ended = p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!ended) {
                runs.forEach(Process::destroyForcibly);
            }
            String out = Files.readString(tmp.resolve("run-" + i + ".out"), StandardCharsets.UTF_8);
            String err = Files.readString(tmp.resolve("run-" + i + ".err"), StandardCharsets.UTF_8);
            assertThat(ended).as("run %d ended within %d minutes; stderr: %s", i, DEADLINE_MINUTES, err).isTrue();
            assertThat(p.exitValue()).as("run %d exit code; stderr: %s", i, err).isZero();
            assertThat(out).as("run %d printed the help", i).contains("Usage: canary").contains("Exit codes");
            if (err.contains("building the launcher (mvn")) {
                builds++;
            }
        }
        assertThat(builds).as("runs that built the tree").isEqualTo(1);
        long waited = 0;
        for (int i = 0; i < runs.size(); i++) {
            waited += Files.readString(tmp.resolve("run-" + i + ".err"), StandardCharsets.UTF_8).contains("waiting for it") ? 1 : 0;
        }
        // The two that did not build waited for the lock (rather than finding a jar already there).
        assertThat(waited).as("runs that waited for the build").isEqualTo(2);
        assertThat(tree.resolve("canary-launcher/target/canary-launcher.jar")).exists();
    }

    /** The directory holding the root pom and {@code ./canary}; tests run in the module directory. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("canary"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root with ./canary above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(f);
                boolean skipped = false;
                for (Path part : rel) {
                    if (SKIPPED.contains(part.toString())) {
                        skipped = true;
                        break;
                    }
                }
                if (skipped) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        to.resolve("canary").toFile().setExecutable(true);
    }
}
