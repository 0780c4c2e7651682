package org.parsepush.gateway.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.parsepush.gateway.config.TlsConfig;

/**
 * A TLS server identity loaded from PEM files, and for mutual TLS the CAs client
 * certificates must chain to. {@link #reload()} reads the files again and, when they are
 * valid, serves them to new connections without a restart; when they are not, it throws
 * and the previous ones stay in use.
 */
public final class ServerTls {

    private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

    private final TlsConfig config;
    private final Clock clock;
    private final SwappableKeyManager keyManager;
    private final SwappableTrustManager trustManager;
    private volatile Material current;

    private ServerTls(TlsConfig config, Clock clock, Material initial) {
        this.config = config;
        this.clock = clock;
        this.current = initial;
        this.keyManager = new SwappableKeyManager(initial.keys());
        this.trustManager = initial.trust() == null ? null : new SwappableTrustManager(initial.trust());
    }

    /** Loads the files; an expired certificate is accepted here (the expiry metric and log say so). */
    public static ServerTls load(TlsConfig config, Clock clock) throws IOException {
        return new ServerTls(config, clock, Material.read(config));
    }

    /**
     * Netty's server context settings: this identity, and when client CAs are configured,
     * client certificates required and checked against them.
     */
    public SslContextBuilder contextBuilder() {
        SslContextBuilder builder = SslContextBuilder.forServer((KeyManager) keyManager);
        if (trustManager != null) {
            builder.trustManager((TrustManager) trustManager).clientAuth(ClientAuth.REQUIRE);
        }
        return builder;
    }

    /**
     * Reads the files again and serves them to new connections. Throws, keeping the previous
     * identity, when they cannot be read, do not belong together, or the certificate has
     * already expired.
     */
    public void reload() throws IOException {
        Material next = Material.read(config);
        if (next.certificate().getNotAfter().toInstant().isBefore(clock.instant())) {
            throw new IOException(config.certificate() + ": the new certificate expired on "
                    + next.certificate().getNotAfter().toInstant());
        }
        if ((next.trust() == null) != (trustManager == null)) {
            throw new IllegalStateException("client certificate checking cannot be switched on or off while running");
        }
        keyManager.replace(next.keys());
        if (trustManager != null) {
            trustManager.replace(next.trust());
        }
        current = next;
    }

    /** The files to watch for changes. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>(List.of(config.certificate(), config.privateKey()));
        if (config.clientCa() != null) {
            files.add(config.clientCa());
        }
        return files;
    }

    /** True when clients must present a certificate. */
    public boolean mutual() {
        return trustManager != null;
    }

    /** The certificate being served. */
    public X509Certificate certificate() {
        return current.certificate();
    }

    /** Of the trusted client CAs, the one that expires first; null without mutual TLS. */
    public X509Certificate firstExpiringClientCa() {
        return current.firstExpiringCa();
    }

    /** One consistent set of key, chain and trusted CAs. */
    private record Material(X509ExtendedKeyManager keys, X509Certificate certificate,
                            X509ExtendedTrustManager trust, X509Certificate firstExpiringCa) {

        static Material read(TlsConfig config) throws IOException {
            List<X509Certificate> chain = PemFiles.certificates(config.certificate());
            PrivateKey key = PemFiles.privateKey(config.privateKey(), config.privateKeyPassword());
            PemFiles.checkKeyMatches(key, chain.get(0), config.privateKey());
            X509ExtendedTrustManager trust = null;
            X509Certificate firstExpiringCa = null;
            if (config.clientCa() != null) {
                List<X509Certificate> cas = PemFiles.certificates(config.clientCa());
                trust = trustManager(cas);
                firstExpiringCa = cas.stream().min(Comparator.comparing(X509Certificate::getNotAfter)).orElseThrow();
            }
            return new Material(keyManager(key, chain), chain.get(0), trust, firstExpiringCa);
        }

        private static X509ExtendedKeyManager keyManager(PrivateKey key, List<X509Certificate> chain) throws IOException {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(X509Certificate[]::new));
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, IN_MEMORY_PASSWORD);
                for (KeyManager manager : factory.getKeyManagers()) {
                    if (manager instanceof X509ExtendedKeyManager x509) {
                        return x509;
                    }
                }
                throw new IOException("the JDK offers no X.509 key manager");
            } catch (GeneralSecurityException e) {
                throw new IOException("the key and certificate cannot be used for TLS (" + e.getClass().getSimpleName() + ")");
            }
        }

        private static X509ExtendedTrustManager trustManager(List<X509Certificate> cas) throws IOException {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    store.setCertificateEntry("ca-" + i, cas.get(i));
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                for (TrustManager manager : factory.getTrustManagers()) {
                    if (manager instanceof X509ExtendedTrustManager x509) {
                        return x509;
                    }
                }
                throw new IOException("the JDK offers no X.509 trust manager");
            } catch (GeneralSecurityException e) {
                throw new IOException("the client CAs cannot be used (" + e.getClass().getSimpleName() + ")");
            }
        }
    }
}
