package org.parsepush.gateway.apns;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.parsepush.gateway.config.ApnsCredentialConfig;
import org.parsepush.gateway.config.ApnsCredentialConfig.Environment;
import org.parsepush.gateway.config.ApnsSettings;
import org.parsepush.gateway.credentials.RetiredCredentials;

/**
 * One configured APNs credential over time: the {@link ApnsCredential} in use, replaced by
 * {@link #reload()} when its file changes and the new one is valid. Sends pick up the
 * current credential each time, so a replacement applies to the next notification; the
 * previous client is closed after its requests in flight have had time to finish.
 */
final class ApnsCredentialSlot implements AutoCloseable {

    private final String appId;
    private final ApnsCredentialConfig config;
    private final ApnsSettings settings;
    private final Clock clock;
    private final RetiredCredentials retired = new RetiredCredentials();
    private volatile ApnsCredential current;

    ApnsCredentialSlot(String appId, ApnsCredentialConfig config, ApnsSettings settings, Clock clock) {
        this.appId = appId;
        this.config = config;
        this.settings = settings;
        this.clock = clock;
        this.current = ApnsCredential.load(appId, config, settings);
    }

    ApnsCredential current() {
        return current;
    }

    Environment environment() {
        return config.environment();
    }

    String description() {
        return ApnsCredential.describe(appId, config);
    }

    /** The metric label: topic and environment. */
    String label() {
        return config.topic() + "/" + config.environment();
    }

    /** True for certificate (P12) authentication. */
    boolean usesCertificate() {
        return config.p12File() != null;
    }

    /** The file to watch. */
    List<Path> files() {
        return List.of(usesCertificate() ? config.p12File() : config.p8File());
    }

    /** The certificate in use, or null. */
    X509Certificate certificate() {
        return current.certificate();
    }

    /**
     * Loads the file again and uses it from the next notification on. Throws, keeping the
     * credential in use, when the file cannot be loaded (wrong password, corrupt), or holds a
     * certificate that has expired or was made for another topic. The password is the
     * configured one: a P12 with a new password needs the new password and a restart.
     */
    void reload() throws IOException {
        ApnsCredential next = ApnsCredential.open(appId, config, settings);
        try {
            checkReplacement(next.certificate());
        } catch (IOException e) {
            next.close();
            throw e;
        }
        ApnsCredential previous = current;
        current = next;
        retired.retire(previous);
    }

    private void checkReplacement(X509Certificate certificate) throws IOException {
        if (certificate == null) {
            return;
        }
        if (certificate.getNotAfter().toInstant().isBefore(clock.instant())) {
            throw new IOException("the new certificate expired on " + certificate.getNotAfter().toInstant());
        }
        String uid = uid(certificate);
        // Apple's push certificates name their bundle id in the subject's UID.
        if (uid != null && !uid.equals(config.topic())) {
            throw new IOException("the new certificate is for topic " + uid + ", not " + config.topic());
        }
    }

    private static String uid(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("UID") || rdn.getType().equals("0.9.2342.19200300.100.1.1")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    @Override
    public void close() {
        current.close();
        retired.closeAll();
    }
}
