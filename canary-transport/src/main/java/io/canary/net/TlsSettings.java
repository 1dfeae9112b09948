package io.canary.net;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS for a {@link SocketTransport}: this node's key and certificate, and the certificates it
 * trusts, each in a PKCS12 file. Connections then use TLS 1.3 only, both sides present a
 * certificate, and a peer's certificate must name its node id (as its subject CN or a DNS subject
 * alternative name), so a node cannot pose as another even with a certificate the cluster trusts.
 * Immutable.
 *
 * @param keyStore PKCS12 file with this node's private key and certificate chain
 * @param keyStorePassword its password (also the key's)
 * @param trustStore PKCS12 file with the certificates (usually one CA) that sign the members' certificates
 * @param trustStorePassword its password
 */
public record TlsSettings(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {

    public TlsSettings {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
    }

    /** Passwords stay out of logs. */
    @Override
    public String toString() {
        return "TlsSettings[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
    }
}
