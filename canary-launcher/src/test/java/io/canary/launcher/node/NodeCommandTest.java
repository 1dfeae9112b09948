package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.launcher.CanaryCli;
import io.canary.launcher.LauncherException;
import io.canary.launcher.model.ModelSpec;
import io.canary.net.ClusterSecret;
import io.canary.net.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How {@code canary node}'s options become settings, as in the original guide. */
class NodeCommandTest {
    private static final ClusterSecret SECRET = ClusterSecret.generate();

    @TempDir
    Path dir;

    @Test
    void aNonLoopbackBindWithoutASecretIsRefusedSayingHowToMakeOne() {
        assertThatThrownBy(() -> NodeCommand.requireAuthenticationOffLoopback(settings(Map.of(), "--role", "coordinator")))
                .isInstanceOf(LauncherException.class)
                .hasMessage("node-a would listen on 0.0.0.0:60001 with no authentication, so anyone reaching that port could"
                        + " pose as a member. Make a cluster secret once ((umask 077; canary secret generate > cluster.key)),"
                        + " copy cluster.key to every member and start each node with --cluster-secret-file cluster.key (or"
                        + " export CANARY_CLUSTER_SECRET_FILE=cluster.key); or, on one machine only, --bind 127.0.0.1");
        NodeCommand.requireAuthenticationOffLoopback(settings(Map.of(), "--role", "coordinator", "--bind", "127.0.0.1"));
        NodeCommand.requireAuthenticationOffLoopback(settings(Map.of(SecretSource.VALUE_ENV, SECRET.encode()), "--role", "coordinator"));
    }

    @Test
    void theSecretComesFromTheOptionTheFileVariableOrTheValueVariable() throws IOException {
        Path file = dir.resolve("cluster.key");
        Files.writeString(file, SECRET.encode());
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        byte[] expected = SECRET.pairKey("node-a", "node-b").orElseThrow();
        assertThat(settings(Map.of(), "--role", "coordinator", "--cluster-secret-file", file.toString())
                .clusterSecret().orElseThrow().pairKey("node-a", "node-b")).contains(expected);
        assertThat(settings(Map.of(SecretSource.FILE_ENV, file.toString()), "--role", "coordinator")
                .clusterSecret().orElseThrow().pairKey("node-a", "node-b")).contains(expected);
        NodeSettings fromValue = settings(Map.of(SecretSource.VALUE_ENV, SECRET.encode()), "--role", "coordinator");
        assertThat(fromValue.clusterSecret().orElseThrow().pairKey("node-a", "node-b")).contains(expected);
        assertThat(fromValue.toString()).contains("clusterSecret=set").doesNotContain(SECRET.encode().lines()
                .filter(l -> !l.startsWith("#")).findFirst().orElseThrow().split(" ")[1]);
        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--cluster-secret-file", dir.resolve("none").toString()))
                .isInstanceOf(LauncherException.class).hasMessageStartingWith("cluster secret file " + dir.resolve("none")
                        + " does not exist");
    }

    private static NodeSettings settings(Map<String, String> env, String... args) {
        CommandLine.ParseResult parsed = CanaryCli.commandLine().parseArgs(prepend("node", args));
        NodeCommand cmd = (NodeCommand) parsed.subcommand().commandSpec().userObject();
        return cmd.settings(env);
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void rolesOfTheOriginalGuideMapToTheReferenceNodes() {
        Map<String, String> env = Map.of("PEERS_NODE_A", "192.168.1.100", "PEERS_NODE_B", "192.168.1.101",
                "PEERS_NODE_C", "192.168.1.102", SecretSource.VALUE_ENV, SECRET.encode());
        NodeSettings a = settings(env, "--role", "coordinator");
        assertThat(a.nodeId()).isEqualTo("node-a");
        assertThat(a.isCoordinator()).isTrue();
        assertThat(a.controlPort()).isEqualTo(60001);
        assertThat(a.dataPort()).isEqualTo(50051);
        assertThat(a.members().toString())
                .isEqualTo("{node-a=192.168.1.100:60001, node-b=192.168.1.101:60002, node-c=192.168.1.102:60003}");
        NodeSettings b = settings(env, "--role", "participant_b");
        assertThat(b.nodeId()).isEqualTo("node-b");
        assertThat(b.isCoordinator()).isFalse();
        assertThat(b.dataPort()).isEqualTo(50052);
        assertThat(settings(env, "--role", "participant_c").controlPort()).isEqualTo(60003);
        assertThat(settings(env, "--role", "participant", "--id", "node-b").nodeId()).isEqualTo("node-b");
    }

    @Test
    void optionsOverrideTheReferenceLayout() {
        NodeSettings s = settings(Map.of(SecretSource.VALUE_ENV, SECRET.encode()), "--id", "n2", "--peers", "n1=10.0.0.1:7001, n2=10.0.0.2:7002",
                "--data-port", "8080", "--bind", "10.0.0.2", "--data-dir", dir.toString(), "--cluster-id", "prod",
                "--model", "v1=demo:latency=10ms,errors=0", "--model", "v2=http://10.0.0.9:9000/predict",
                "--initial-weights", "v1=0.9,v2=0.1", "--rollout", "v2", "--prepare-timeout", "750ms",
                "--peer-timeout", "3s", "-v");
        assertThat(s.members()).containsEntry("n1", new HostPort("10.0.0.1", 7001));
        assertThat(s.coordinatorId()).isEqualTo("n1");
        assertThat(s.controlPort()).isEqualTo(7002);
        assertThat(s.dataPort()).isEqualTo(8080);
        assertThat(s.bindHost()).isEqualTo("10.0.0.2");
        assertThat(s.clusterId()).isEqualTo("prod");
        assertThat(s.models().get("v1")).isEqualTo(new ModelSpec.Demo(Duration.ofMillis(10), 0));
        assertThat(s.models().get("v2")).isInstanceOf(ModelSpec.Http.class);
        assertThat(s.initialWeights().share("v2")).isEqualTo(0.1);
        assertThat(s.rolloutCanary()).contains("v2");
        assertThat(s.nodeConfig().prepareTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.nodeConfig().peerTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.verbose()).isTrue();
        assertThat(s.adminToken()).isEmpty();
    }

    @Test
    void initialWeightsAndPeersReadLikeEveryOtherList() {
        NodeSettings s = settings(Map.of(), "--id", "n1", "--peers", "n1=127.0.0.1:7001 n2=127.0.0.1:7002",
                "--initial-weights", "v1=90%, v2=10%");
        assertThat(s.members()).containsOnlyKeys("n1", "n2");
        assertThat(s.initialWeights().share("v1")).isEqualTo(0.9);
        assertThat(s.initialWeights().share("v2")).isEqualTo(0.1);
        assertThatThrownBy(() -> settings(Map.of(), "--id", "n1", "--peers", "n1=127.0.0.1:7001,n1=127.0.0.1:7002"))
                .hasMessageEndingWith("--peers': node n1 is given twice");
        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--initial-weights", "v1"))
                .hasMessageEndingWith("--initial-weights': 'v1' must look like v2=0.1");
    }

    @Test
    void adminTokenComesFromTheFileOrTheEnvironment() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "  from-file\n");
        assertThat(settings(Map.of("CANARY_ADMIN_TOKEN", "from-env"), "--role", "coordinator").adminToken()).contains("from-env");
        assertThat(settings(Map.of("CANARY_ADMIN_TOKEN", "from-env"), "--role", "coordinator",
                "--admin-token-file", file.toString()).adminToken()).contains("from-file");
        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--admin-token-file",
                dir.resolve("missing").toString()))
                .isInstanceOf(LauncherException.class).hasMessageContaining("cannot read admin token file");
    }

    @Test
    void contradictoryRoleAndIdAreRefused() {
        assertThatThrownBy(() -> settings(Map.of(), "--role", "participant_b", "--id", "node-c"))
                .hasMessage("--role participant_b is node-b but --id says node-c");
        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--coordinator", "node-b"))
                .hasMessage("--role coordinator but the coordinator is node-b");
        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--peer-timeout", "100ms"))
                .hasMessageContaining("peerTimeout");
    }

    @Test
    void tlsNeedsBothStoresAndAPassword() throws IOException {
        Path ks = Files.writeString(dir.resolve("node-a.p12"), "x");
        Path ts = Files.writeString(dir.resolve("ca.p12"), "x");
        NodeSettings s = settings(Map.of("CANARY_TLS_PASSWORD", "pw"), "--role", "coordinator",
                "--tls-keystore", ks.toString(), "--tls-truststore", ts.toString());
        assertThat(s.tls()).hasValueSatisfying(t -> {
            assertThat(t.keyStore()).isEqualTo(ks);
            assertThat(t.trustStore()).isEqualTo(ts);
        });
        assertThat(SocketTransports.config(s).tls()).isPresent();
        assertThat(settings(Map.of(), "--role", "coordinator").tls()).isEmpty();
        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--tls-keystore", ks.toString()))
                .hasMessage("TLS needs both --tls-keystore and --tls-truststore");
        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--tls-keystore", ks.toString(),
                "--tls-truststore", ts.toString()))
                .hasMessageContaining("--tls-password-file or $CANARY_TLS_PASSWORD");
    }

    @Test
    void webhooksAreRepeatableSignedFromAFileAndReadFromTheEnvironmentToo() throws IOException {
        Path secret = Files.writeString(dir.resolve("hook-secret"), "s3cret\n");
        NodeSettings s = settings(Map.of(), "--role", "coordinator", "--webhook", "http://127.0.0.1:9000/a",
                "--webhook", "https://hooks.example/b", "--webhook-secret-file", secret.toString());
        assertThat(s.webhooks().endpoints()).extracting(Object::toString).containsExactly("http://127.0.0.1:9000/a", "https://hooks.example/b");
        assertThat(s.webhooks().secret()).contains("s3cret");

        NodeSettings fromEnv = settings(Map.of("CANARY_WEBHOOKS", "http://127.0.0.1:9000/a, http://127.0.0.1:9001/b",
                "CANARY_WEBHOOK_SECRET", "k"), "--role", "coordinator");
        assertThat(fromEnv.webhooks().endpoints()).hasSize(2);
        assertThat(fromEnv.webhooks().secret()).contains("k");
        assertThat(settings(Map.of(), "--role", "coordinator").webhooks().endpoints()).isEmpty();

        assertThatThrownBy(() -> settings(Map.of(), "--role", "coordinator", "--webhook", "ftp://x/y"))
                .isInstanceOf(LauncherException.class).hasMessageStartingWith("bad webhook URL 'ftp://x/y': expected http://");
    }
}
