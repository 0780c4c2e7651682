package org.parsepush.ppns.device;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * How a simulated device checks the server, like a real one: against a trust store and the
 * host name it connects to.
 *
 * @param context        the client TLS context
 * @param verifyHostname whether the certificate must name the host connected to, as real devices require
 */
public record DeviceTls(SslContext context, boolean verifyHostname) {

    public DeviceTls {
        Objects.requireNonNull(context, "context");
        if (!context.isClient()) {
            throw new IllegalArgumentException("a device needs a client TLS context");
        }
    }

    /** Trusts the JDK's public roots, as devices trust theirs. */
    public static DeviceTls systemTrust() throws SSLException {
        return new DeviceTls(builder().build(), true);
    }

    /** Trusts only the CA certificates in {@code caPemFile}: a private CA, or a test's. */
    public static DeviceTls trusting(Path caPemFile) throws IOException {
        return trusting(caPemFile, SslProvider.JDK);
    }

    /**
     * Like {@link #trusting(Path)} with a chosen TLS implementation: a load generator uses
     * OpenSSL to spend less of the machine on its own side of each handshake.
     */
    public static DeviceTls trusting(Path caPemFile, SslProvider provider) throws IOException {
        if (!Files.isReadable(caPemFile)) {
            throw new IOException("cannot read CA file " + caPemFile);
        }
        try {
            return new DeviceTls(builder().sslProvider(provider).trustManager(caPemFile.toFile()).build(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot read CA file " + caPemFile + ": " + e.getMessage(), e);
        }
    }

    /** Trusts any certificate for any name: only for a local server with a throwaway certificate. */
    public static DeviceTls trustingAnyone() throws SSLException {
        return new DeviceTls(builder().trustManager(InsecureTrustManagerFactory.INSTANCE).build(), false);
    }

    private static SslContextBuilder builder() {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
    }
}
