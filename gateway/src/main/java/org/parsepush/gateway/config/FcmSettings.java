package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.util.List;

/** Gateway-wide FCM settings; the service accounts themselves are per app. */
public final class FcmSettings {

    private String endpoint = "https://fcm.googleapis.com";
    private int maxInFlightPerCredential = 1000;
    private int requestTimeoutMillis = 10_000;
    private int connections = 2;
    private int threadsPerCredential = 100;
    private String trustedServerCaFile;

    /**
     * Where FCM's HTTP v1 API is reached. Only a proxy or a test changes it: requests meant
     * for {@code https://fcm.googleapis.com} go to this base URL instead.
     */
    public String endpoint() {
        return endpoint;
    }

    /** Messages awaiting FCM's answer per credential (Firebase project). */
    public int maxInFlightPerCredential() {
        return maxInFlightPerCredential;
    }

    /**
     * Connect and answer timeout of one HTTP request to FCM: a message without an answer by
     * then is retried on its own. Keep it well below {@code delivery.requestTimeoutSeconds}:
     * the Admin SDK runs a batch's messages on its 100 threads, so a stalled FCM makes a
     * batch take several of these in a row.
     */
    public java.time.Duration requestTimeout() {
        return java.time.Duration.ofMillis(requestTimeoutMillis);
    }

    /**
     * HTTP/2 connections to FCM per app. Each carries many requests at once (as many as FCM
     * allows per connection; more wait their turn), so a few are enough.
     */
    public int connections() {
        return connections;
    }

    /**
     * Threads of the Admin SDK per credential (Firebase project): it sends each message as a
     * blocking request on a thread, so messages in flight to FCM per project are at most this,
     * and throughput is about this divided by the round trip (100 at 30 ms: 3,300 messages/s;
     * FCM's default quota is 10,000/s per project).
     */
    public int threadsPerCredential() {
        return threadsPerCredential;
    }

    /** A PEM CA to trust for the FCM endpoint (tests, TLS-inspecting proxies), or null for the JDK's roots. */
    public Path trustedServerCaFile() {
        return trustedServerCaFile == null || trustedServerCaFile.isBlank() ? null : Path.of(trustedServerCaFile);
    }

    void collectProblems(List<String> problems) {
        if (endpoint == null || !endpoint.matches("https?://[^/\\s]+/?")) {
            problems.add("fcm.endpoint must be a base URL like https://fcm.googleapis.com, got '" + endpoint + "'");
        }
        if (maxInFlightPerCredential < 1) {
            problems.add("fcm.maxInFlightPerCredential must be at least 1");
        }
        if (connections < 1 || connections > 64) {
            problems.add("fcm.connections must be between 1 and 64, got " + connections);
        }
        if (threadsPerCredential < 1 || threadsPerCredential > 2000) {
            problems.add("fcm.threadsPerCredential must be between 1 and 2000, got " + threadsPerCredential);
        }
        if (trustedServerCaFile() != null) {
            CredentialFiles.checkReadable("fcm.trustedServerCaFile", trustedServerCaFile, problems);
        }
        if (requestTimeoutMillis < 100) {
            problems.add("fcm.requestTimeoutMillis must be at least 100, got " + requestTimeoutMillis);
        }
    }
}
