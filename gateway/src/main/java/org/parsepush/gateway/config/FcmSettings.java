package org.parsepush.gateway.config;

import java.util.List;

/** Gateway-wide FCM settings; the service accounts themselves are per app. */
public final class FcmSettings {

    private String endpoint = "https://fcm.googleapis.com";
    private int maxInFlightPerCredential = 1000;

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

    void collectProblems(List<String> problems) {
        if (endpoint == null || !endpoint.matches("https?://[^/\\s]+/?")) {
            problems.add("fcm.endpoint must be a base URL like https://fcm.googleapis.com, got '" + endpoint + "'");
        }
        if (maxInFlightPerCredential < 1) {
            problems.add("fcm.maxInFlightPerCredential must be at least 1");
        }
    }
}
