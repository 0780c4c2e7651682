package org.parsepush.gateway.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.MutableClock;
import org.parsepush.gateway.TestPki;
import org.parsepush.gateway.tls.PemFiles;

/** The expiry gauge and its once-per-certificate warning, on a clock the test moves. */
class CertificateExpiryTest {

    @TempDir
    Path dir;

    @Test
    void theGaugeCountsDownAndEachCertificateIsWarnedAboutOnce() throws Exception {
        TestPki pki = TestPki.create(dir, "expiry");
        X509Certificate first = PemFiles.certificates(pki.server("first").certificate()).get(0);
        X509Certificate second = PemFiles.certificates(pki.server("second").certificate()).get(0);
        MutableClock clock = new MutableClock(first.getNotAfter().toInstant().minus(Duration.ofDays(45)));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicReference<X509Certificate> inUse = new AtomicReference<>(first);
        try (CapturedLogs logs = CapturedLogs.capture()) {
            CertificateExpiry expiry = new CertificateExpiry(registry, clock, 30);
            expiry.track("", "grpc", "server", "the test certificate", inUse::get);
            var gauge = registry.get(CertificateExpiry.METRIC).tag("provider", "grpc").tag("credential", "server")
                    .gauge();
            assertEquals(45.0, gauge.value(), 0.001);
            assertEquals(0, warnings(logs), "45 days left is no reason to warn");

            clock.advance(Duration.ofDays(20));
            expiry.checkAll();
            expiry.checkAll();
            assertEquals(25.0, gauge.value(), 0.001);
            assertEquals(1, warnings(logs), "one warning per certificate, not one per check");
            assertTrue(logs.text().contains("the test certificate: the certificate expires in 25.0 days"), logs.text());

            clock.advance(Duration.ofDays(26));
            expiry.checkAll();
            assertEquals(-1.0, gauge.value(), 0.001);
            assertEquals(1, warnings(logs), "the same certificate is not warned about again once expired");

            inUse.set(second);
            expiry.checkAll();
            assertEquals(2, warnings(logs), "a replacement certificate is a new certificate");
            inUse.set(null);
            assertTrue(Double.isNaN(gauge.value()), "no certificate, no number");
        }
    }

    private static long warnings(CapturedLogs logs) {
        return logs.text().lines().filter(line -> line.startsWith("WARN") && line.contains("the test certificate"))
                .count();
    }
}
