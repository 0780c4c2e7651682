package org.parsepush.gateway.apns;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.parsepush.gateway.config.ApnsCredentialConfig;
import org.parsepush.gateway.config.ApnsCredentialConfig.Environment;
import org.parsepush.gateway.config.ApnsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded APNs credential with its Pushy client. A credential that cannot be loaded at
 * start (wrong password, corrupt file) does not stop the gateway: it keeps the reason, and
 * its devices fail with it while every other credential keeps working. For a P12 it also
 * keeps the certificate, whose expiry is watched and checked before each send.
 */
final class ApnsCredential implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApnsCredential.class);

    private final String description;
    private final Environment environment;
    private final ApnsClient client;
    private final EventLoopGroup loops;
    private final X509Certificate certificate;
    /** The certificate's end of validity, read once: the certificate's own getter parses it on every call. */
    private final Instant notAfter;
    private final String loadError;

    private ApnsCredential(String description, Environment environment, ApnsClient client, EventLoopGroup loops,
                           X509Certificate certificate, String loadError) {
        this.description = description;
        this.environment = environment;
        this.client = client;
        this.loops = loops;
        this.certificate = certificate;
        this.notAfter = certificate == null ? null : certificate.getNotAfter().toInstant();
        this.loadError = loadError;
    }

    /** How logs and reports name the credential of {@code config}. */
    static String describe(String appId, ApnsCredentialConfig config) {
        return "APNs " + config.environment() + " credential for topic " + config.topic() + " of app '" + appId + "'";
    }

    /** Loads at start: a credential that cannot be loaded becomes one whose devices fail with the reason. */
    static ApnsCredential load(String appId, ApnsCredentialConfig config, ApnsSettings settings) {
        try {
            return open(appId, config, settings);
        } catch (IOException e) {
            String reason = describe(appId, config) + " " + e.getMessage();
            log.error(reason);
            return new ApnsCredential(describe(appId, config), config.environment(), null, null, null, reason);
        }
    }

    /**
     * Loads or throws; the message ("could not be loaded (...)") names the problem, never the
     * password (neither the JDK's PKCS#12 reader nor Pushy put it into their messages).
     *
     * <p>The client gets event loops of its own, one per connection. With loops shared among
     * credentials, Pushy's connection pool and its connection sit on different threads, and
     * every notification crosses between them; on its own loop it is written where it is
     * handed over (measured: a tenth less of the gateway's CPU per Apple device).
     */
    static ApnsCredential open(String appId, ApnsCredentialConfig config, ApnsSettings settings) throws IOException {
        String description = describe(appId, config);
        String server = config.environment() == Environment.sandbox ? settings.sandboxServer() : settings.productionServer();
        int colon = server.lastIndexOf(':');
        EventLoopGroup loops = new NioEventLoopGroup(settings.connectionsPerCredential(),
                new DefaultThreadFactory("apns-" + config.topic() + "-" + config.environment(), true));
        try {
            ApnsClientBuilder builder = new ApnsClientBuilder()
                    .setApnsServer(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)))
                    .setEventLoopGroup(loops)
                    .setConcurrentConnections(settings.connectionsPerCredential());
            X509Certificate certificate = null;
            if (config.p12File() != null) {
                certificate = p12Certificate(config.p12File(), config.p12Password());
                builder.setClientCredentials(config.p12File().toFile(), config.p12Password());
            } else {
                builder.setSigningKey(ApnsSigningKey.loadFromPkcs8File(config.p8File().toFile(), config.teamId(),
                        config.keyId()));
            }
            if (settings.trustedServerCaFile() != null) {
                builder.setTrustedServerCertificateChain(new File(settings.trustedServerCaFile().toString()));
            }
            return new ApnsCredential(description, config.environment(), builder.build(), loops, certificate, null);
        } catch (Exception e) {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("could not be loaded (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); check the file" + (config.p12File() != null ? " and its password" : ""));
        }
    }

    /** The client certificate of a P12 (the first key entry's). */
    private static X509Certificate p12Certificate(Path file, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate x509) {
                return x509;
            }
        }
        throw new IOException("the P12 file holds no private key with a certificate");
    }

    String description() {
        return description;
    }

    Environment environment() {
        return environment;
    }

    /** The client, or null when the credential could not be loaded. */
    ApnsClient client() {
        return client;
    }

    /** The P12's certificate, or null (p8 token authentication, or not loaded). */
    X509Certificate certificate() {
        return certificate;
    }

    /** When the P12's certificate stops being valid, or null (p8 token authentication, or not loaded). */
    Instant notAfter() {
        return notAfter;
    }

    /** True when this is a certificate that has expired by {@code now}: APNs would refuse it. */
    boolean expiredAt(Instant now) {
        return notAfter != null && notAfter.isBefore(now);
    }

    /** Why the credential is unusable, or null. */
    String loadError() {
        return loadError;
    }

    @Override
    public void close() {
        if (client != null) {
            try {
                client.close().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("closing the {}: {}", description, e.toString());
            }
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }
}
