package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.canary.launcher.CommandRun;
import io.canary.launcher.ExitCodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when {@code canary node} cannot start: one line, a non-zero exit, no stack trace. */
class NodeStartupFailureTest {
    @TempDir
    Path dir;

    private CommandRun node(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "node";
        System.arraycopy(args, 0, all, 1, args.length);
        return CommandRun.canary(all);
    }

    @Test
    void controlPortInUseIsOneClearLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            CommandRun r = node("--id", "node-a", "--peers", "node-a=127.0.0.1:" + port, "--bind", "127.0.0.1",
                    "--data-port", "0", "--data-dir", dir.toString());
            assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).contains("control port " + port + " is already in use").doesNotContain("Exception");
        }
    }

    @Test
    void aControlPortHeldByALingeringOutgoingConnectionIsNamedAsSuch() throws IOException {
        // No process listens on the port: a client connection that used it as its local port and
        // closed first keeps it (TIME_WAIT), which is what an operator meets on a busy machine.
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Socket client = new Socket();
            client.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = client.getLocalPort();
            client.connect(server.getLocalSocketAddress());
            Socket accepted = server.accept();
            client.close(); // the client closes first: its end lingers (FIN_WAIT_2, then TIME_WAIT)
            accepted.close();
            assumeTrue(refusesAListener(port), "this kernel lets a listener take a port held in TIME_WAIT");
            CommandRun r = node("--id", "node-a", "--peers", "node-a=127.0.0.1:" + port, "--bind", "127.0.0.1",
                    "--data-port", "0", "--data-dir", dir.toString());
            assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
            assertThat(r.err().strip()).isEqualTo("canary: node-a cannot start its control plane: control port " + port
                    + " is already in use by another process or a lingering connection (ss -tanp | grep :" + port
                    + " shows which)");
        }
    }

    private static boolean refusesAListener(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void dataPortInUseIsOneClearLineAndReleasesTheControlPort() throws IOException {
        int control;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            control = free.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            CommandRun r = node("--id", "node-a", "--peers", "node-a=127.0.0.1:" + control, "--bind", "127.0.0.1",
                    "--data-port", String.valueOf(port), "--data-dir", dir.toString());
            assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
            assertThat(r.err().strip()).isEqualTo("canary: data port " + port
                    + " on 127.0.0.1 is already in use by another process or a lingering connection (ss -tanp | grep :"
                    + port + " shows which; choose another with --data-port)");
        }
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new java.net.InetSocketAddress("127.0.0.1", control));
            assertThat(again.isBound()).as("the failed start released its control port").isTrue();
        }
    }

    @Test
    void aNonLoopbackBindWithoutASecretIsOneClearLineAndNothingListens() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        // 0.0.0.0 is bound by nobody: the check comes first, so no traffic and no port is involved.
        CommandRun r = node("--id", "node-a", "--peers", "node-a=127.0.0.1:" + port, "--bind", "0.0.0.0",
                "--data-port", "0", "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("canary: node-a would listen on 0.0.0.0:" + port + " with no authentication")
                .contains("canary secret generate > cluster.key").contains("--cluster-secret-file cluster.key")
                .doesNotContain("Exception");
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).as("the control port was never bound").isEqualTo(port);
        }
    }

    @Test
    void unwritableDataDirIsOneClearLine() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        CommandRun r = node("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--bind", "127.0.0.1", "--control-port", "0",
                "--data-port", "0", "--data-dir", file.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("canary: cannot write the state log " + file.resolve("node-a.log"));
    }

    @Test
    void aLogDamagedBeforeItsEndIsOneLineNamingFileAndLineAndAnExitCodeOfItsOwn() throws IOException {
        Path log = dir.resolve("node-a.log");
        io.canary.model.RoutingState v1 = io.canary.model.RoutingState.initial("v1", "v2");
        String good = io.canary.log.LogRecordFormat.format(new io.canary.log.LogRecord.Committed(1, v1));
        String bad = good.replace("version=1", "version=7"); // the CRC no longer matches
        Files.writeString(log, io.canary.log.LogRecordFormat.format(new io.canary.log.LogRecord.CoordinatorEpoch(1)) + "\n"
                + bad + "\n" + good + "\n");
        byte[] before = Files.readAllBytes(log);

        CommandRun r = node("--id", "node-a", "--peers", "node-a=127.0.0.1:0", "--bind", "127.0.0.1",
                "--control-port", "0", "--data-port", "0", "--data-dir", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.DAMAGED_LOG);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("canary: node-a cannot start: state log " + log.toAbsolutePath() + " line 2 is damaged"
                        + " (crc mismatch")
                .contains("move it aside").contains("re-learn its state from the cluster").doesNotContain("Exception");
        assertThat(Files.readAllBytes(log)).as("the damaged log is left for the operator").isEqualTo(before);

        Files.move(log, dir.resolve("node-a.log.damaged"));
        try (NodeProcess started = NodeProcess.start(NodeSettings.builder("node-a")
                        .members(java.util.Map.of("node-a", new io.canary.net.HostPort("127.0.0.1", 1)))
                        .bindHost("127.0.0.1").controlPort(0).dataPort(0).dataDir(dir).build(),
                SocketTransports.factory(), NodeConsole.silent("node-a"))) {
            assertThat(started.node().isReady()).as("moved aside, the node starts on an empty log").isTrue();
        }
    }

    @Test
    void secondNodeOnTheSameLogIsRefusedInOneLine() {
        NodeSettings settings = NodeSettings.builder("node-a").members(java.util.Map.of("node-a", new io.canary.net.HostPort("127.0.0.1", 1)))
                .bindHost("127.0.0.1").controlPort(0).dataPort(0).dataDir(dir).build();
        try (NodeProcess first = NodeProcess.start(settings, SocketTransports.factory(), NodeConsole.silent("node-a"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            NodeProcess.start(settings, SocketTransports.factory(), NodeConsole.silent("node-a")))
                    .isInstanceOf(io.canary.launcher.LauncherException.class)
                    .hasMessageStartingWith("node-a cannot open its state log: ")
                    .hasMessageContaining("in use by another node");
            assertThat(first.node().isReady()).isTrue();
        }
    }
}
