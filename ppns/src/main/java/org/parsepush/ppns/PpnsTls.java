package org.parsepush.ppns;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The server's certificate: devices check it against public roots and the host name they
 * have compiled in, so it is the same kind of certificate a web server for that name uses.
 *
 * @param certificateChainFile PEM: the server certificate first, then its intermediates
 * @param privateKeyFile       PEM, PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted
 */
public record PpnsTls(Path certificateChainFile, Path privateKeyFile) {

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
     * @throws IOException naming the file that is missing or cannot be read as PEM
     */
    SslContext serverContext() throws IOException {
        requireReadable(certificateChainFile, "certificate chain");
        requireReadable(privateKeyFile, "private key");
        try {
            return SslContextBuilder.forServer(certificateChainFile.toFile(), privateKeyFile.toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot load the PPNS certificate chain " + certificateChainFile
                    + " with private key " + privateKeyFile + ": " + e.getMessage(), e);
        }
    }

    private static void requireReadable(Path file, String what) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("the PPNS " + what + " file " + file + " cannot be read");
        }
    }
}
