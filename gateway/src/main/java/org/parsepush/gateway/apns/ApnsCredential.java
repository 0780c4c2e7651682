package org.parsepush.gateway.apns;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import io.netty.channel.EventLoopGroup;
import java.io.File;
import java.util.concurrent.TimeUnit;
import org.parsepush.gateway.config.ApnsCredentialConfig;
import org.parsepush.gateway.config.ApnsCredentialConfig.Environment;
import org.parsepush.gateway.config.ApnsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One APNs credential with its Pushy client. A credential that cannot be loaded (wrong
 * password, corrupt file) does not stop the gateway: it keeps the reason, and its devices
 * fail with it while every other credential keeps working.
 */
final class ApnsCredential implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApnsCredential.class);

    private final String description;
    private final Environment environment;
    private final ApnsClient client;
    private final String loadError;

    private ApnsCredential(String description, Environment environment, ApnsClient client, String loadError) {
        this.description = description;
        this.environment = environment;
        this.client = client;
        this.loadError = loadError;
    }

    static ApnsCredential load(String appId, ApnsCredentialConfig config, ApnsSettings settings, EventLoopGroup group) {
        String description = "APNs " + config.environment() + " credential for topic " + config.topic()
                + " of app '" + appId + "'";
        String server = config.environment() == Environment.sandbox ? settings.sandboxServer() : settings.productionServer();
        int colon = server.lastIndexOf(':');
        try {
            ApnsClientBuilder builder = new ApnsClientBuilder()
                    .setApnsServer(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)))
                    .setEventLoopGroup(group)
                    .setConcurrentConnections(settings.connectionsPerCredential());
            if (config.p12File() != null) {
                builder.setClientCredentials(config.p12File().toFile(), config.p12Password());
            } else {
                builder.setSigningKey(ApnsSigningKey.loadFromPkcs8File(config.p8File().toFile(), config.teamId(),
                        config.keyId()));
            }
            if (settings.trustedServerCaFile() != null) {
                builder.setTrustedServerCertificateChain(new File(settings.trustedServerCaFile().toString()));
            }
            return new ApnsCredential(description, config.environment(), builder.build(), null);
        } catch (Exception e) {
            // The exception text of a failed P12 load never contains the password.
            String reason = description + " could not be loaded (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); check the file and its password";
            log.error(reason);
            return new ApnsCredential(description, config.environment(), null, reason);
        }
    }

    String description() {
        return description;
    }

    Environment environment() {
        return environment;
    }

    /** The client, or null when the credential could not be loaded. */
    ApnsClient client() {
        return client;
    }

    /** Why the credential is unusable, or null. */
    String loadError() {
        return loadError;
    }

    @Override
    public void close() {
        if (client != null) {
            try {
                client.close().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("closing the {}: {}", description, e.toString());
            }
        }
    }
}
