package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One Firebase service account, used for the Android installations registered with its
 * sender id (the Firebase project number).
 */
public final class FcmCredentialConfig {

    private String serviceAccountFile;
    private String senderId;

    /** The service-account JSON file. Its content is a secret. */
    public Path serviceAccountFile() {
        return Path.of(serviceAccountFile);
    }

    /** The sender id (Firebase project number) matched against `GCMSenderId`. */
    public String senderId() {
        return senderId;
    }

    void collectProblems(String path, List<String> problems) {
        if (serviceAccountFile == null) {
            problems.add(path + ".serviceAccountFile is required");
        } else {
            CredentialFiles.checkReadable(path + ".serviceAccountFile", serviceAccountFile, problems);
        }
        if (senderId == null || !senderId.matches("\\d+")) {
            problems.add(path + ".senderId must be the Firebase project number (digits only)");
        }
    }
}
