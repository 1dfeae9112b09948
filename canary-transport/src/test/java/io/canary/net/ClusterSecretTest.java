package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretTest {
    private static final List<String> MEMBERS = List.of("node-a", "node-b", "node-c");

    @TempDir
    Path dir;

    @Test
    void aGeneratedSecretRoundTripsThroughItsFileTextAndDerivesTheSamePairKeys() {
        ClusterSecret s = ClusterSecret.generate();
        ClusterSecret read = ClusterSecret.parse(s.encode());
        assertThat(read.pairKey("node-a", "node-b")).get().isEqualTo(s.pairKey("node-a", "node-b").orElseThrow());
        assertThat(s.pairKey("node-a", "node-b").orElseThrow()).as("a pair key is symmetric")
                .isEqualTo(s.pairKey("node-b", "node-a").orElseThrow());
        assertThat(s.pairKey("node-a", "node-b").orElseThrow()).isNotEqualTo(s.pairKey("node-a", "node-c").orElseThrow());
        assertThat(ClusterSecret.generate().pairKey("node-a", "node-b").orElseThrow())
                .isNotEqualTo(s.pairKey("node-a", "node-b").orElseThrow());
    }

    @Test
    void aNodeKeyHoldsOnlyItsOwnPairKeysWhichMatchTheClusterSecrets() {
        ClusterSecret s = ClusterSecret.generate();
        ClusterSecret b = ClusterSecret.parse(s.forNode("node-b", MEMBERS).encode());
        assertThat(b.owner()).contains("node-b");
        assertThat(b.pairKey("node-b", "node-a")).get().isEqualTo(s.pairKey("node-a", "node-b").orElseThrow());
        assertThat(b.pairKey("node-b", "node-c")).get().isEqualTo(s.pairKey("node-b", "node-c").orElseThrow());
        assertThat(b.pairKey("node-c", "node-a")).as("node-b's key cannot speak for node-c").isEmpty();
        assertThat(b.pairKey("node-b", "node-d")).as("no key for a member that joined later").isEmpty();
        assertThatThrownBy(() -> b.forNode("node-c", MEMBERS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theMaterialNeverShowsInToStringOrInTheTransportConfig() {
        ClusterSecret s = ClusterSecret.generate();
        String material = s.encode().lines().filter(l -> !l.startsWith("#")).findFirst().orElseThrow().split(" ")[1];
        assertThat(s.toString()).isEqualTo("ClusterSecret[cluster secret, redacted]").doesNotContain(material);
        ClusterSecret node = s.forNode("node-b", MEMBERS);
        assertThat(node.toString()).isEqualTo("ClusterSecret[node key of node-b for [node-a, node-c], redacted]");
        SocketTransportConfig config = SocketTransportConfig.custom().clusterId("c").clusterSecret(s).build();
        assertThat(config.toString()).contains("clusterSecret=ClusterSecret[cluster secret, redacted]").doesNotContain(material);
    }

    @Test
    void badSecretsAreRefusedSayingWhatIsWrongWithoutQuotingThem() {
        assertThatThrownBy(() -> ClusterSecret.parse("")).hasMessageStartingWith("the cluster secret is empty");
        String shortOne = Base64.getEncoder().encodeToString(new byte[8]);
        assertThatThrownBy(() -> ClusterSecret.parse(shortOne)).hasMessageStartingWith("the cluster secret is 8 bytes; it needs at least 16");
        assertThatThrownBy(() -> ClusterSecret.parse("canary-cluster-secret-v1 not*base64"))
                .hasMessage("the cluster secret is not valid base64");
        assertThatThrownBy(() -> ClusterSecret.parse("hunter2 hunter3")).hasMessageStartingWith("not a Canary secret")
                .hasMessageNotContaining("hunter");
        // A bare base64 secret (e.g. from $CANARY_CLUSTER_SECRET) is accepted.
        assertThat(ClusterSecret.parse(Base64.getEncoder().encodeToString(new byte[32])).owner()).isEmpty();
    }

    @Test
    void aSecretFileReadableByOthersIsWarnedAbout() throws IOException {
        Path file = dir.resolve("cluster.key");
        Files.writeString(file, ClusterSecret.generate().encode());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ClusterSecret.permissionWarning(file)).contains("cluster secret file " + file
                + " is readable by every user (rw-r--r--): restrict it with chmod 600 " + file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(ClusterSecret.permissionWarning(file)).get().asString().contains("readable by its group");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(ClusterSecret.permissionWarning(file)).isEmpty();
        assertThat(ClusterSecret.read(file).owner()).isEmpty();
        assertThatThrownBy(() -> ClusterSecret.read(dir.resolve("missing.key")))
                .hasMessageStartingWith("cluster secret file " + dir.resolve("missing.key") + " does not exist");
    }
}
