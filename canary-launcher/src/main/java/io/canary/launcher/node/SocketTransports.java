package io.canary.launcher.node;

import io.canary.launcher.LauncherException;

/** Builds TCP transports for launcher nodes. */
public final class SocketTransports {
    private SocketTransports() {
    }

    /** Transports on real sockets: listening on the settings' bind address and control port. */
    public static TransportFactory factory() {
        return settings -> {
            throw LauncherException.failure("the TCP transport is not available in this build yet");
        };
    }
}
