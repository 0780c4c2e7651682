package org.parsepush.gateway.config;

import java.util.List;

/**
 * The gRPC API listener: where it binds and, optionally, TLS with client certificates.
 * Plain text on loopback is the development default; anything reachable from other hosts
 * should set {@link #tls()}.
 */
public final class GrpcSettings {

    private String host = "127.0.0.1";
    private int port = 50051;
    private TlsConfig tls = new TlsConfig();

    /** The address to bind. */
    public String host() {
        return host;
    }

    /** The port to bind; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** Host and port together. */
    public Listener listener() {
        return new Listener(host, port);
    }

    /** TLS for the API; {@link TlsConfig#enabled()} is false for plain text. */
    public TlsConfig tls() {
        return tls;
    }

    void collectProblems(List<String> problems) {
        listener().collectProblems("grpc", problems);
        tls.collectProblems("grpc.tls", problems);
    }
}
