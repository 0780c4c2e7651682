package org.parsepush.gateway.credentials;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The days left on every certificate the gateway depends on, as the gauge
 * {@code push_gateway_credential_expiry_days{app,provider,credential}} (negative once
 * expired), and one WARN log per certificate when fewer than the warning days are left.
 * The gauge reads the certificate in use at scrape time, so a reloaded certificate shows at
 * once.
 */
public final class CertificateExpiry {

    /** The gauge's name; Prometheus shows it as {@code push_gateway_credential_expiry_days}. */
    public static final String METRIC = "push.gateway.credential.expiry.days";

    private static final Logger log = LoggerFactory.getLogger(CertificateExpiry.class);
    private static final double SECONDS_PER_DAY = Duration.ofDays(1).toSeconds();

    private final MeterRegistry registry;
    private final Clock clock;
    private final int warningDays;
    private final List<Tracked> tracked = new CopyOnWriteArrayList<>();
    /** Certificates already warned about, by issuer and serial: one warning each, not one per poll. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public CertificateExpiry(MeterRegistry registry, Clock clock, int warningDays) {
        this.registry = registry;
        this.clock = clock;
        this.warningDays = warningDays;
    }

    /**
     * Tracks the certificate {@code current} returns (null while there is none).
     *
     * @param app        the Parse app, or empty for the gateway's own certificates
     * @param provider   {@code apns}, {@code grpc}, {@code ppns}
     * @param credential which one: a topic and environment, {@code server}, {@code client_ca}
     * @param what       how logs name it
     */
    public void track(String app, String provider, String credential, String what,
                      Supplier<X509Certificate> current) {
        Tracked entry = new Tracked(what, current);
        tracked.add(entry);
        Gauge.builder(METRIC, entry, e -> daysLeft(e.current.get()))
                .description("Days until the certificate in use expires; negative once it has")
                .tags("app", app, "provider", provider, "credential", credential)
                .register(registry);
        check(entry);
    }

    /** Warns about certificates that have entered the warning period since the last check. */
    public void checkAll() {
        tracked.forEach(this::check);
    }

    private void check(Tracked entry) {
        X509Certificate certificate = entry.current.get();
        if (certificate == null) {
            return;
        }
        double days = daysLeft(certificate);
        if (days >= warningDays) {
            return;
        }
        String id = certificate.getIssuerX500Principal().getName() + "#" + certificate.getSerialNumber();
        if (!warned.add(id)) {
            return;
        }
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (days < 0) {
            log.warn("{}: the certificate expired on {}; replace it", entry.what, notAfter);
        } else {
            log.warn("{}: the certificate expires in {} days, on {}; renew it", entry.what,
                    String.format(Locale.ROOT, "%.1f", days), notAfter);
        }
    }

    private double daysLeft(X509Certificate certificate) {
        if (certificate == null) {
            return Double.NaN;
        }
        return (certificate.getNotAfter().toInstant().getEpochSecond() - clock.instant().getEpochSecond())
                / SECONDS_PER_DAY;
    }

    private record Tracked(String what, Supplier<X509Certificate> current) {
    }
}
