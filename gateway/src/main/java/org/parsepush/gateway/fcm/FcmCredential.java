package org.parsepush.gateway.fcm;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.messaging.FirebaseMessaging;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.UUID;
import org.parsepush.gateway.config.FcmCredentialConfig;
import org.parsepush.gateway.config.FcmSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded Firebase service account with its Admin SDK instance. A service account that
 * cannot be loaded at start keeps the reason; its devices fail with it, others are
 * unaffected.
 */
final class FcmCredential implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FcmCredential.class);

    private final String description;
    private final FirebaseApp firebase;
    private final FirebaseMessaging messaging;
    private final String projectId;
    private final String loadError;

    private FcmCredential(String description, FirebaseApp firebase, String projectId, String loadError) {
        this.description = description;
        this.firebase = firebase;
        this.messaging = firebase == null ? null : FirebaseMessaging.getInstance(firebase);
        this.projectId = projectId;
        this.loadError = loadError;
    }

    /** How logs and reports name the credential of {@code config}. */
    static String describe(String appId, FcmCredentialConfig config) {
        return "FCM credential for sender id " + config.senderId() + " of app '" + appId + "'";
    }

    /** Loads at start: a service account that cannot be loaded becomes one whose devices fail with the reason. */
    static FcmCredential load(String appId, FcmCredentialConfig config, FcmTransports transports,
                              FcmSettings settings) {
        try {
            return open(appId, config, transports, settings);
        } catch (IOException e) {
            String reason = describe(appId, config) + " " + e.getMessage();
            log.error(reason);
            return new FcmCredential(describe(appId, config), null, null, reason);
        }
    }

    /** Loads or throws; the message ("could not be loaded (...)") names the problem, never key material. */
    static FcmCredential open(String appId, FcmCredentialConfig config, FcmTransports transports,
                              FcmSettings settings) throws IOException {
        String description = describe(appId, config);
        try (InputStream json = Files.newInputStream(config.serviceAccountFile())) {
            GoogleCredentials credentials = GoogleCredentials.fromStream(json, transports::oauth);
            String projectId = credentials instanceof ServiceAccountCredentials account ? account.getProjectId() : null;
            FirebaseOptions options = FirebaseOptions.builder()
                    .setCredentials(credentials)
                    .setHttpTransport(transports.messages())
                    .setConnectTimeout((int) settings.requestTimeout().toMillis())
                    .setReadTimeout((int) settings.requestTimeout().toMillis())
                    .setThreadManager(new FcmThreads(settings.threadsPerCredential(), "fcm-" + config.senderId()))
                    .build();
            // Firebase app names are global to the JVM: make each one unique.
            String name = "push-gateway-" + appId + "-" + config.senderId() + "-" + UUID.randomUUID();
            return new FcmCredential(description, FirebaseApp.initializeApp(options, name), projectId, null);
        } catch (Exception e) {
            throw new IOException("could not be loaded (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check the service-account file");
        }
    }

    String description() {
        return description;
    }

    /** The messaging client, or null when the credential could not be loaded. */
    FirebaseMessaging messaging() {
        return messaging;
    }

    /** The Firebase project of the service account, or null. */
    String projectId() {
        return projectId;
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
