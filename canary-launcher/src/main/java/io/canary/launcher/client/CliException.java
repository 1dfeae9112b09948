package io.canary.launcher.client;

import io.canary.launcher.ExitCodes;
import io.canary.launcher.LauncherException;

/**
 * A client command's failure: one line and an exit code from {@link ExitCodes}, printed by the
 * same {@code ErrorReporter} as every other launcher failure.
 */
public class CliException extends LauncherException {

    /** The operation failed: {@link ExitCodes#FAILURE}. */
    public CliException(String message) {
        this(message, ExitCodes.FAILURE);
    }

    public CliException(String message, int exitCode) {
        super(exitCode, message);
    }

    /** The node did not answer at all (refused, timed out, unknown host): another node may. */
    public static final class Unreachable extends CliException {
        private final String reason;

        public Unreachable(NodeAddress node, String reason) {
            super(node + " is unreachable: " + reason);
            this.reason = reason;
        }

        /** Why, without the node: e.g. {@code connection refused}. */
        public String reason() {
            return reason;
        }
    }

    /** The node answered with an error status and says why. */
    public static final class Refused extends CliException {
        private final int status;
        private final String error;
        private final String version;

        public Refused(String message, int status, String error, String version) {
            super(message);
            this.status = status;
            this.error = error;
            this.version = version;
        }

        /** The node's own words, from the {@code error} field of its answer. */
        public String error() {
            return error;
        }

        /** For a failed prediction, the version that failed ({@code X-Canary-Version}); else "unknown". */
        public String version() {
            return version;
        }

        /** The HTTP status code. */
        public int status() {
            return status;
        }
    }
}
