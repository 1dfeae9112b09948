package io.canary.launcher.node;

import io.canary.net.ClusterSecret;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a node's cluster secret comes from: {@code --cluster-secret-file}, else
 * {@code $CANARY_CLUSTER_SECRET_FILE}, else the secret itself in {@code $CANARY_CLUSTER_SECRET}.
 * A file others may read is used, with a warning.
 *
 * @param secret the secret, if one was given
 * @param warning a line to print (a file readable by others), if any
 */
public record SecretSource(Optional<ClusterSecret> secret, Optional<String> warning) {
    public static final String FILE_ENV = "CANARY_CLUSTER_SECRET_FILE";
    public static final String VALUE_ENV = "CANARY_CLUSTER_SECRET";

    /**
     * @param file the {@code --cluster-secret-file} option, or null
     * @throws IllegalArgumentException naming the file or variable if the secret cannot be read or is invalid
     */
    public static SecretSource resolve(Path file, Map<String, String> env) {
        Path f = file;
        if (f == null && env.get(FILE_ENV) != null && !env.get(FILE_ENV).isBlank()) {
            f = Path.of(env.get(FILE_ENV).trim());
        }
        if (f != null) {
            return new SecretSource(Optional.of(ClusterSecret.read(f)), ClusterSecret.permissionWarning(f));
        }
        String value = env.get(VALUE_ENV);
        if (value != null && !value.isBlank()) {
            try {
                return new SecretSource(Optional.of(ClusterSecret.parse(value)), Optional.empty());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("$" + VALUE_ENV + ": " + e.getMessage());
            }
        }
        return new SecretSource(Optional.empty(), Optional.empty());
    }
}
