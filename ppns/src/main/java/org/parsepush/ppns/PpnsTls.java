package org.parsepush.ppns;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's certificate: devices check it against public roots and the host name they
 * have compiled in, so it is the same kind of certificate a web server for that name uses.
 *
 * @param certificateChainFile PEM: the server certificate first, then its intermediates
 * @param privateKeyFile       PEM, PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted
 */
public record PpnsTls(Path certificateChainFile, Path privateKeyFile) {

    private static final Logger log = LoggerFactory.getLogger(PpnsTls.class);

    /**
     * OpenSSL's buffer, per connection, for TLS messages it writes while reading (handshake
     * flights, session tickets, alerts). Netty allocates 2 KB for every connection up front and
     * keeps it for the connection's life; what does not fit simply waits inside OpenSSL for
     * the next write, which a handshake does anyway. For idle devices those 2 KB were a fifth
     * of a connection's memory; with 256 bytes, 10,000 connections take 18 MB less.
     */
    static final int OPENSSL_NON_APPLICATION_BUFFER = 256;

    /** TLS 1.2 for the embedded SDKs' TLS stacks, 1.3 for the rest; nothing older. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public PpnsTls {
        Objects.requireNonNull(certificateChainFile, "certificateChainFile");
        Objects.requireNonNull(privateKeyFile, "privateKeyFile");
    }

    /**
     * Loads the files. No ALPN is configured, so none is negotiated: the Linux SDK (libcurl)
     * offers {@code h2} and would speak HTTP/2 if the server picked it.
     *
     * <p>OpenSSL (BoringSSL, from netty-tcnative) is used where its native library loads and
     * {@code preferOpenSsl} is set: an idle connection then keeps a few KB of native state
     * instead of the JDK engine's objects, and a handshake costs a fraction of the CPU, which
     * decides how fast a reconnect storm is absorbed. Its context is reference-counted: the
     * caller releases it when the server stops.
     *
     * @throws IOException naming the file that is missing or cannot be read as PEM
     */
    SslContext serverContext(boolean preferOpenSsl) throws IOException {
        requireReadable(certificateChainFile, "certificate chain");
        requireReadable(privateKeyFile, "private key");
        try {
            SslContext context = SslContextBuilder.forServer(certificateChainFile.toFile(), privateKeyFile.toFile())
                    .sslProvider(provider(preferOpenSsl))
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.NONE)
                    .build();
            if (context instanceof ReferenceCountedOpenSslContext openSsl) {
                openSsl.setBioNonApplicationBufferSize(OPENSSL_NON_APPLICATION_BUFFER);
            }
            return context;
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot load the PPNS certificate chain " + certificateChainFile
                    + " with private key " + privateKeyFile + ": " + e.getMessage(), e);
        }
    }

    /** OpenSSL if wanted and loadable, else the JDK; says which, and why not OpenSSL, in the log. */
    static SslProvider provider(boolean preferOpenSsl) {
        if (preferOpenSsl && OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL_REFCNT;
        }
        if (preferOpenSsl) {
            log.info("PPNS TLS falls back to the JDK: OpenSSL is not available ({})",
                    OpenSsl.unavailabilityCause().toString());
        }
        return SslProvider.JDK;
    }

    /** For the start-up log line: which TLS implementation serves the devices. */
    static String describe(SslContext context) {
        return context instanceof JdkSslContext ? "TLS via the JDK" : "TLS via " + OpenSsl.versionString();
    }

    private static void requireReadable(Path file, String what) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("the PPNS " + what + " file " + file + " cannot be read");
        }
    }
}
