package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.CanaryCli;
import io.canary.net.ClusterSecret;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code canary secret generate} and {@code canary secret derive}: what they print is what nodes read. */
class SecretCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run canary(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CanaryCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void generatePrintsAFreshSecretNodesReadAndNothingSecretOnStderr() {
        Run first = canary("secret", "generate");
        Run second = canary("secret", "generate");
        assertThat(first.code()).isZero();
        ClusterSecret a = ClusterSecret.parse(first.out());
        ClusterSecret b = ClusterSecret.parse(second.out());
        assertThat(a.owner()).isEmpty();
        assertThat(a.pairKey("node-a", "node-b").orElseThrow()).isNotEqualTo(b.pairKey("node-a", "node-b").orElseThrow());
        String material = first.out().lines().filter(l -> !l.startsWith("#")).findFirst().orElseThrow().split(" ")[1];
        assertThat(first.err()).contains("--cluster-secret-file cluster.key").doesNotContain(material);
    }

    @Test
    void deriveGivesEachMemberAKeyThatMatchesTheClusterSecret() throws IOException {
        Path clusterKey = dir.resolve("cluster.key");
        Files.writeString(clusterKey, canary("secret", "generate").out());
        Run warned = canary("secret", "derive", "--id", "node-b", "--cluster-secret-file", clusterKey.toString());
        assertThat(warned.err()).startsWith("warning: cluster secret file " + clusterKey + " is readable by every user");
        Files.setPosixFilePermissions(clusterKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ClusterSecret cluster = ClusterSecret.read(clusterKey);
        Run r = canary("secret", "derive", "--id", "node-b", "--cluster-secret-file", clusterKey.toString());
        assertThat(r.code()).isZero();
        ClusterSecret nodeB = ClusterSecret.parse(r.out());
        assertThat(nodeB.owner()).contains("node-b");
        assertThat(nodeB.pairKey("node-b", "node-a")).contains(cluster.pairKey("node-a", "node-b").orElseThrow());
        assertThat(nodeB.pairKey("node-b", "node-c")).contains(cluster.pairKey("node-b", "node-c").orElseThrow());

        Run notAMember = canary("secret", "derive", "--id", "node-z", "--cluster-secret-file", clusterKey.toString());
        assertThat(notAMember.code()).isEqualTo(io.canary.launcher.ExitCodes.USAGE);
        assertThat(notAMember.err()).isEqualTo("canary: node-z is not among the members [node-a, node-b, node-c] (--peers)\n");

        Path keyB = dir.resolve("node-b.key");
        Files.writeString(keyB, r.out());
        Run fromNodeKey = canary("secret", "derive", "--id", "node-c", "--cluster-secret-file", keyB.toString());
        assertThat(fromNodeKey.err()).contains("that is the node key of node-b, not the cluster secret");
    }
}
