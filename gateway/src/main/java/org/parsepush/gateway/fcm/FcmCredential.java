package org.parsepush.gateway.fcm;

import com.google.api.client.http.HttpTransport;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.messaging.FirebaseMessaging;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.UUID;
import org.parsepush.gateway.config.FcmCredentialConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Firebase project's service account with its Admin SDK instance. A service account
 * that cannot be loaded keeps the reason; its devices fail with it, others are unaffected.
 */
final class FcmCredential implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FcmCredential.class);

    private final String description;
    private final FirebaseApp firebase;
    private final FirebaseMessaging messaging;
    private final String loadError;

    private FcmCredential(String description, FirebaseApp firebase, String loadError) {
        this.description = description;
        this.firebase = firebase;
        this.messaging = firebase == null ? null : FirebaseMessaging.getInstance(firebase);
        this.loadError = loadError;
    }

    static FcmCredential load(String appId, FcmCredentialConfig config, HttpTransport transport,
                              java.time.Duration requestTimeout) {
        String description = "FCM credential for sender id " + config.senderId() + " of app '" + appId + "'";
        try (InputStream json = Files.newInputStream(config.serviceAccountFile())) {
            GoogleCredentials credentials = GoogleCredentials.fromStream(json, () -> transport);
            FirebaseOptions options = FirebaseOptions.builder()
                    .setCredentials(credentials)
                    .setHttpTransport(transport)
                    .setConnectTimeout((int) requestTimeout.toMillis())
                    .setReadTimeout((int) requestTimeout.toMillis())
                    .build();
            // Firebase app names are global to the JVM: make each one unique.
            String name = "push-gateway-" + appId + "-" + config.senderId() + "-" + UUID.randomUUID();
            return new FcmCredential(description, FirebaseApp.initializeApp(options, name), null);
        } catch (Exception e) {
            // Messages from a failed load name the problem, never the key material.
            String reason = description + " could not be loaded (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check the service-account file";
            log.error(reason);
            return new FcmCredential(description, null, reason);
        }
    }

    String description() {
        return description;
    }

    /** The messaging client, or null when the credential could not be loaded. */
    FirebaseMessaging messaging() {
        return messaging;
    }

    String loadError() {
        return loadError;
    }

    @Override
    public void close() {
        if (firebase != null) {
            firebase.delete();
        }
    }
}
