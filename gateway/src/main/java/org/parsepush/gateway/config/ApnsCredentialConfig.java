package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One APNs credential: either a P12 client certificate (file and password) or a p8 token
 * signing key (file, key id, team id), bound to a topic (bundle id) and an environment.
 */
public final class ApnsCredentialConfig {

    /** Apple's two APNs environments. */
    public enum Environment { production, sandbox }

    private String topic;
    private Environment environment = Environment.production;
    private String p12File;
    private String p12Password;
    private String p8File;
    private String keyId;
    private String teamId;

    /** The bundle id this credential pushes to (`apns-topic`). */
    public String topic() {
        return topic;
    }

    /** Production or sandbox. */
    public Environment environment() {
        return environment;
    }

    /** The P12 certificate file, or null for token authentication. */
    public Path p12File() {
        return p12File == null ? null : Path.of(p12File);
    }

    /** The P12 password. Never log it. */
    public String p12Password() {
        return p12Password;
    }

    /** The p8 signing key file, or null for certificate authentication. */
    public Path p8File() {
        return p8File == null ? null : Path.of(p8File);
    }

    /** The p8 key id. */
    public String keyId() {
        return keyId;
    }

    /** The Apple developer team id. */
    public String teamId() {
        return teamId;
    }

    void collectProblems(String path, List<String> problems) {
        if (topic == null || topic.isBlank()) {
            problems.add(path + ".topic (the app's bundle id) is required");
        }
        if ((p12File == null) == (p8File == null)) {
            problems.add(path + " needs exactly one of p12File or p8File");
        }
        if (p12File != null) {
            CredentialFiles.checkReadable(path + ".p12File", p12File, problems);
            if (p12Password == null) {
                problems.add(path + ".p12Password is required with p12File (use \"\" for none)");
            }
        }
        if (p8File != null) {
            CredentialFiles.checkReadable(path + ".p8File", p8File, problems);
            if (keyId == null || keyId.isBlank() || teamId == null || teamId.isBlank()) {
                problems.add(path + ".keyId and .teamId are required with p8File");
            }
        }
    }
}
