package org.parsepush.gateway.credentials;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * What credential owners (providers, listeners, API key rings) need to stay current: file
 * watching with reload ({@link CredentialWatcher}) and certificate expiry tracking
 * ({@link CertificateExpiry}), checked on the same poll.
 */
public final class CredentialMonitor implements AutoCloseable {

    private final CredentialWatcher watcher;
    private final CertificateExpiry expiry;
    private final Clock clock;

    public CredentialMonitor(Duration pollInterval, MeterRegistry registry, Clock clock, int warningDays) {
        this.watcher = new CredentialWatcher(pollInterval);
        this.expiry = new CertificateExpiry(registry, clock, warningDays);
        this.clock = clock;
        watcher.afterEachPoll(expiry::checkAll);
    }

    /** See {@link CredentialWatcher#watch}. */
    public void watch(String what, List<Path> files, CredentialWatcher.Reload reload) {
        watcher.watch(what, files, reload);
    }

    /** See {@link CertificateExpiry#track}. */
    public void trackExpiry(String app, String provider, String credential, String what,
                            Supplier<X509Certificate> current) {
        expiry.track(app, provider, credential, what, current);
    }

    /** The clock expiry is judged by. */
    public Clock clock() {
        return clock;
    }

    /** Starts polling. */
    public void start() {
        watcher.start();
    }

    @Override
    public void close() {
        watcher.close();
    }
}
