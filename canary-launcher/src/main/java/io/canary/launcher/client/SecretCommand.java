package io.canary.launcher.client;

import io.canary.launcher.node.ReferenceLayout;
import io.canary.launcher.node.SecretSource;
import io.canary.net.ClusterSecret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code canary secret}: makes the secret that authenticates the control plane. */
@Command(name = "secret", mixinStandardHelpOptions = true,
        description = {"Makes the secret every node's control connections authenticate with.",
                "Once: (umask 077; canary secret generate > cluster.key); copy cluster.key to every member and start each "
                        + "with --cluster-secret-file cluster.key (or $CANARY_CLUSTER_SECRET_FILE)."},
        subcommands = {SecretCommand.Generate.class, SecretCommand.Derive.class})
public final class SecretCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do, e.g. canary secret generate > cluster.key");
    }

    /** {@code canary secret generate > cluster.key}. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Prints a new random cluster secret (256 bits) in the file format nodes read.",
                    "Anyone holding it can join the control plane as any member: keep it private (chmod 600)."})
    public static final class Generate extends ClientCommand {
        @Override
        protected int execute() {
            out().print(ClusterSecret.generate().encode());
            err().println("a new cluster secret: save it with (umask 077; canary secret generate > cluster.key), copy it to"
                    + " every member and start each node with --cluster-secret-file cluster.key");
            return 0;
        }
    }

    /** {@code canary secret derive --id node-b > node-b.key}. */
    @Command(name = "derive", mixinStandardHelpOptions = true,
            description = {"Prints the node key of one member, derived from the cluster secret: it authenticates that member "
                    + "only, so a node started with it cannot pose as another member.",
                    "Give each node its own key (--cluster-secret-file node-b.key) and keep cluster.key off the nodes. "
                            + "Derive every key again when a member joins."})
    public static final class Derive extends ClientCommand {
        @Option(names = "--id", required = true, paramLabel = "NODE_ID", description = "The member the key is for.")
        String id;

        @Option(names = "--peers", paramLabel = "IDS",
                description = "Every member, e.g. node-a,node-b,node-c or the node's --peers value. Default: node-a,node-b,node-c.")
        String peers;

        @Option(names = "--cluster-secret-file", paramLabel = "FILE",
                description = "The cluster secret. Default: $CANARY_CLUSTER_SECRET_FILE or $CANARY_CLUSTER_SECRET.")
        Path secretFile;

        @Override
        protected int execute() {
            SecretSource source = SecretSource.resolve(secretFile, env());
            ClusterSecret secret = source.secret().orElseThrow(() -> new IllegalArgumentException(
                    "no cluster secret: give --cluster-secret-file cluster.key (make one with canary secret generate)"));
            if (secret.owner().isPresent()) {
                throw new IllegalArgumentException("that is the node key of " + secret.owner().get()
                        + ", not the cluster secret: only the cluster secret derives node keys");
            }
            source.warning().ifPresent(w -> err().println("warning: " + w));
            List<String> members = members();
            if (!members.contains(id)) {
                throw new IllegalArgumentException(id + " is not among the members " + members + " (--peers)");
            }
            out().print(secret.forNode(id, members).encode());
            return 0;
        }

        private List<String> members() {
            if (peers == null) {
                return ReferenceLayout.NODE_IDS;
            }
            Set<String> ids = new LinkedHashSet<>();
            for (String entry : peers.split(",")) {
                String nodeId = entry.contains("=") ? entry.substring(0, entry.indexOf('=')) : entry;
                if (!nodeId.isBlank()) {
                    ids.add(nodeId.trim());
                }
            }
            return new ArrayList<>(ids);
        }
    }
}
