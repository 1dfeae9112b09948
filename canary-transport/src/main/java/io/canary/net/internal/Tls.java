package io.canary.net.internal;

import io.canary.net.TlsSettings;
import io.canary.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mutual TLS 1.3 over the transport's sockets (JSSE). Identity is the node id: the handshake proves
 * the peer holds a certificate the truststore vouches for, and {@link #names} tells which node ids
 * that certificate may speak for (subject CN and DNS alternative names). Thread-safe.
 */
public final class Tls {
    private static final String[] PROTOCOLS = {"TLSv1.3"};
    private static final int SAN_DNS = 2;

    private final SSLContext context;
    private final SSLSocketFactory factory;

    private Tls(SSLContext context) {
        this.context = context;
        this.factory = context.getSocketFactory();
    }

    /**
     * Loads the stores and builds the TLS context.
     *
     * @throws TransportException naming the file and what is wrong with it (missing, wrong
     *     password, not PKCS12, no key)
     */
    public static Tls load(TlsSettings settings) {
        KeyStore keys = read(settings.keyStore(), settings.keyStorePassword(), "keystore");
        KeyStore trusted = read(settings.trustStore(), settings.trustStorePassword(), "truststore");
        try {
            if (!hasKey(keys)) {
                throw new TransportException("keystore " + settings.keyStore() + " holds no private key");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, settings.keyStorePassword().toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return new Tls(context);
        } catch (GeneralSecurityException e) {
            throw new TransportException("cannot set up TLS from " + settings + ": " + e.getMessage());
        }
    }

    private static boolean hasKey(KeyStore ks) throws GeneralSecurityException {
        for (String alias : java.util.Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static KeyStore read(Path file, String password, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            return ks;
        } catch (NoSuchFileException e) {
            throw new TransportException(what + " " + file + " does not exist");
        } catch (IOException e) {
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password") ? "wrong password or not a PKCS12 file"
                    : String.valueOf(e.getMessage());
            throw new TransportException("cannot read " + what + " " + file + ": " + why);
        } catch (GeneralSecurityException e) {
            throw new TransportException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** Server side of an accepted connection; the handshake demands the client's certificate. */
    SSLSocket accept(Socket raw) throws IOException {
        SSLSocket s = (SSLSocket) factory.createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
        s.setUseClientMode(false);
        s.setEnabledProtocols(PROTOCOLS);
        s.setNeedClientAuth(true);
        s.startHandshake();
        return s;
    }

    /** Client side of a connection we opened. */
    SSLSocket connect(Socket raw, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) factory.createSocket(raw, host, port, true);
        s.setUseClientMode(true);
        s.setEnabledProtocols(PROTOCOLS);
        s.startHandshake();
        return s;
    }

    /** Server side of an accepted connection on the NIO model; the handshake demands the client's certificate. */
    SSLEngine acceptor() {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        e.setEnabledProtocols(PROTOCOLS);
        e.setNeedClientAuth(true);
        return e;
    }

    /** Client side of a connection we open on the NIO model (the same settings as {@link #connect}). */
    SSLEngine connector(String host, int port) {
        SSLEngine e = context.createSSLEngine(host, port);
        e.setUseClientMode(true);
        e.setEnabledProtocols(PROTOCOLS);
        return e;
    }

    /** The node ids the peer's certificate speaks for: its subject CN and DNS alternative names. */
    static Set<String> names(SSLSocket s) throws SSLPeerUnverifiedException {
        return names(s.getSession());
    }

    /** The node ids the certificate of the peer of {@code session} speaks for. */
    static Set<String> names(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain = session.getPeerCertificates();
        Set<String> names = new TreeSet<>();
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            return names;
        }
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException ignored) {
            // no usable CN: the alternative names may still name the node
        }
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException ignored) {
            // unreadable extension: only the CN counts
        }
        return names;
    }

    /** One line on why a TLS handshake failed, without the provider's class names. */
    static String describe(javax.net.ssl.SSLException e) {
        String msg = e.getMessage();
        if (msg == null) {
            return e.getClass().getSimpleName();
        }
        if (msg.contains("unable to find valid certification path")) {
            return "the peer's certificate is not signed by a certificate in our truststore";
        }
        if (msg.contains("Empty client certificate chain")) {
            return "the peer presented no certificate our truststore vouches for";
        }
        return msg;
    }

    /**
     * True if the handshake failed because the connection dropped (the peer stopped or restarted
     * mid-handshake), not because either side refused the other's certificate: that is an ordinary
     * connection failure, retried quietly, not a rejection.
     */
    static boolean peerWentAway(javax.net.ssl.SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.EOFException || t instanceof java.net.SocketException) {
                return true;
            }
            String msg = String.valueOf(t.getMessage());
            if (msg.contains("Remote host terminated") || msg.contains("Connection reset") || msg.contains("Broken pipe")) {
                return true;
            }
        }
        return false;
    }
}
