package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.util.List;

/** Gateway-wide APNs settings; the credentials themselves are per app. */
public final class ApnsSettings {

    /**
     * Concurrent streams APNs allows per connection, from the {@code SETTINGS} frame its
     * servers send (Apple does not document it; 1,500 when this was written, and Pushy's
     * benchmark server copies it). Notifications beyond it cannot go out yet: Netty holds
     * them in its stream buffer, which gains nothing.
     */
    static final int STREAMS_PER_CONNECTION = 1500;

    private String productionServer = "api.push.apple.com:443";
    private String sandboxServer = "api.sandbox.push.apple.com:443";
    private String trustedServerCaFile;
    private Integer maxInFlightPerCredential;
    private int connectionsPerCredential = 1;
    private int requestTimeoutMillis = 10_000;

    /** {@code host:port} of production APNs. */
    public String productionServer() {
        return productionServer;
    }

    /** {@code host:port} of sandbox APNs. */
    public String sandboxServer() {
        return sandboxServer;
    }

    /** A PEM CA to trust for APNs servers (tests, TLS-inspecting proxies), or null for the JDK's roots. */
    public Path trustedServerCaFile() {
        return trustedServerCaFile == null || trustedServerCaFile.isBlank() ? null : Path.of(trustedServerCaFile);
    }

    /**
     * Notifications awaiting APNs' answer per credential: the flow-control window. By default
     * as many as its connections carry at once ({@value #STREAMS_PER_CONNECTION} each),
     * so that none waits inside Netty.
     */
    public int maxInFlightPerCredential() {
        return maxInFlightPerCredential != null ? maxInFlightPerCredential
                : STREAMS_PER_CONNECTION * connectionsPerCredential;
    }

    /** HTTP/2 connections per credential. */
    public int connectionsPerCredential() {
        return connectionsPerCredential;
    }

    /**
     * How long one notification may wait for APNs' answer before it is retried on its own.
     * Pushy has no such limit: without it a stalled stream would hold its whole batch until
     * {@code delivery.requestTimeoutSeconds}, and the batch would be retried whole, devices
     * APNs had already accepted included. Keep it below {@code delivery.requestTimeoutSeconds}.
     */
    public java.time.Duration requestTimeout() {
        return java.time.Duration.ofMillis(requestTimeoutMillis);
    }

    void collectProblems(List<String> problems) {
        checkServer("apns.productionServer", productionServer, problems);
        checkServer("apns.sandboxServer", sandboxServer, problems);
        if (trustedServerCaFile() != null) {
            CredentialFiles.checkReadable("apns.trustedServerCaFile", trustedServerCaFile, problems);
        }
        if (maxInFlightPerCredential != null && maxInFlightPerCredential < 1) {
            problems.add("apns.maxInFlightPerCredential must be at least 1");
        }
        if (connectionsPerCredential < 1 || connectionsPerCredential > 64) {
            problems.add("apns.connectionsPerCredential must be between 1 and 64");
        }
        if (requestTimeoutMillis < 100) {
            problems.add("apns.requestTimeoutMillis must be at least 100, got " + requestTimeoutMillis);
        }
    }

    private static void checkServer(String key, String value, List<String> problems) {
        if (value == null || !value.matches("[^:\\s]+:\\d{1,5}")) {
            problems.add(key + " must be host:port, got '" + value + "'");
        }
    }
}
