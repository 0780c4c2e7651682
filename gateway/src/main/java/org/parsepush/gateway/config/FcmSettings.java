package org.parsepush.gateway.config;

import java.util.List;

/** Gateway-wide FCM settings; the service accounts themselves are per app. */
public final class FcmSettings {

    private String endpoint = "https://fcm.googleapis.com";
    private int maxInFlightPerCredential = 1000;
    private int requestTimeoutMillis = 10_000;

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
     * Connect and read timeout of one HTTP request to FCM: a message without an answer by
     * then is retried on its own. Keep it well below {@code delivery.requestTimeoutSeconds}:
     * the Admin SDK runs a batch's messages on its 100 threads, so a stalled FCM makes a
     * batch take several of these in a row.
     */
    public java.time.Duration requestTimeout() {
        return java.time.Duration.ofMillis(requestTimeoutMillis);
    }

    void collectProblems(List<String> problems) {
        if (endpoint == null || !endpoint.matches("https?://[^/\\s]+/?")) {
            problems.add("fcm.endpoint must be a base URL like https://fcm.googleapis.com, got '" + endpoint + "'");
        }
        if (maxInFlightPerCredential < 1) {
            problems.add("fcm.maxInFlightPerCredential must be at least 1");
        }
        if (requestTimeoutMillis < 100) {
            problems.add("fcm.requestTimeoutMillis must be at least 100, got " + requestTimeoutMillis);
        }
    }
}
