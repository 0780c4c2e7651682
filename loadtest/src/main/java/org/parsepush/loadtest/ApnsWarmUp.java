package org.parsepush.loadtest;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Warms the APNs stand-in's JIT before anything is measured, from a Pushy client in this
 * process. Otherwise whichever way runs first pays for the stand-in's warm-up on the shared
 * cores, and the ways that follow profit from it.
 */
final class ApnsWarmUp {

    private static final int IN_FLIGHT = 2_000;

    private ApnsWarmUp() {
    }

    static void run(int port, Path caFile, Path p12, String password, String topic, int notifications)
            throws Exception {
        ApnsClient client = new ApnsClientBuilder().setApnsServer("localhost", port)
                .setClientCredentials(p12.toFile(), password)
                .setTrustedServerCertificateChain(caFile.toFile()).build();
        try {
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            for (int i = 0; i < notifications; i++) {
                inFlight.acquire();
                client.sendNotification(new SimpleApnsPushNotification(String.format("%064x", i), topic,
                        "{\"aps\":{\"alert\":\"warm-up\"}}")).whenComplete((response, error) -> inFlight.release());
            }
            if (!inFlight.tryAcquire(IN_FLIGHT, 2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the APNs stand-in did not answer the warm-up");
            }
        } finally {
            client.close().get(30, TimeUnit.SECONDS);
        }
    }
}
