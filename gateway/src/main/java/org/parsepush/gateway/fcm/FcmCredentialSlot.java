package org.parsepush.gateway.fcm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.parsepush.gateway.config.FcmCredentialConfig;
import org.parsepush.gateway.config.FcmSettings;
import org.parsepush.gateway.credentials.RetiredCredentials;

/**
 * One configured Firebase service account over time: the {@link FcmCredential} in use,
 * replaced by {@link #reload()} when its file changes and the new one is valid. The previous
 * SDK instance is closed after its requests in flight have had time to finish.
 */
final class FcmCredentialSlot implements AutoCloseable {

    private final String appId;
    private final FcmCredentialConfig config;
    private final FcmTransports transports;
    private final FcmSettings settings;
    private final RetiredCredentials retired = new RetiredCredentials();
    private volatile FcmCredential current;

    FcmCredentialSlot(String appId, FcmCredentialConfig config, FcmTransports transports,
                      FcmSettings settings) {
        this.appId = appId;
        this.config = config;
        this.transports = transports;
        this.settings = settings;
        this.current = FcmCredential.load(appId, config, transports, settings);
    }

    FcmCredential current() {
        return current;
    }

    String description() {
        return FcmCredential.describe(appId, config);
    }

    List<Path> files() {
        return List.of(config.serviceAccountFile());
    }

    /**
     * Loads the file again and uses it from the next batch on. Throws, keeping the account in
     * use, when the file cannot be loaded or belongs to another Firebase project than the one
     * in use (a rotated key belongs to the same project; another project is a mistake).
     */
    void reload() throws IOException {
        FcmCredential next = FcmCredential.open(appId, config, transports, settings);
        String inUse = current.projectId();
        if (inUse != null && !inUse.equals(next.projectId())) {
            next.close();
            throw new IOException("the new service account is for Firebase project '" + next.projectId()
                    + "', the one in use for '" + inUse + "'; a project change needs a restart");
        }
        FcmCredential previous = current;
        current = next;
        retired.retire(previous);
    }

    @Override
    public void close() {
        current.close();
        retired.closeAll();
    }
}
