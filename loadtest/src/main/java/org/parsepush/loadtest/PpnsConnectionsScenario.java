package org.parsepush.loadtest;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.TestCertificates;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * K devices hold PPNS connections over TLS: how fast they are admitted, what each costs the
 * gateway in resident memory (heap, direct buffers and TLS state all count), and how long one
 * push takes to reach all of them.
 */
final class PpnsConnectionsScenario {

    private static final int HANDSHAKES_IN_FLIGHT = 500;

    private PpnsConnectionsScenario() {
    }

    static void run(Options options) throws Exception {
        Path certs = Files.createDirectories(Files.createTempDirectory("ppns-bench"));
        TestCertificates tls = TestCertificates.create(certs);
        String ppns = "ppns: {port: 0, certificateChainFile: \"%s\", privateKeyFile: \"%s\", maxPendingHandshakes: 2048}"
                .formatted(tls.certificateChain(), tls.privateKey());
        int count = options.connections();
        try (Bench bench = Bench.start(options, ppns)) {
            bench.seed(count, 0, 0, "P");
            EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(2);
            List<PpnsDeviceClient> devices = java.util.Collections.synchronizedList(new ArrayList<>(count));
            AtomicInteger admitted = new AtomicInteger();
            AtomicInteger received = new AtomicInteger();
            Semaphore inFlight = new Semaphore(HANDSHAKES_IN_FLIGHT);
            DeviceEndpoint endpoint = new DeviceEndpoint("localhost", bench.gateway.ppnsPort(),
                    DeviceTls.trusting(tls.caCertificate()));
            TimeUnit.SECONDS.sleep(2);
            long residentBefore = bench.gateway.residentBytes();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                inFlight.acquire();
                boolean[] answered = new boolean[1];
                String installationId = "p-device-" + i;
                // Connections open concurrently; the semaphore bounds the handshakes under way.
                PpnsDeviceClient.connect(group, endpoint, line -> {
                    if (line.equals("{}") && !answered[0]) {
                        answered[0] = true;
                        admitted.incrementAndGet();
                        inFlight.release();
                    } else if (line.contains("\"push_id\"")) {
                        received.incrementAndGet();
                    }
                }).whenComplete((device, error) -> {
                    if (error != null) {
                        inFlight.release();
                        return;
                    }
                    devices.add(device);
                    device.handshake(installationId, Bench.APP_ID, null);
                });
            }
            awaitCount(admitted, count, Duration.ofMinutes(5));
            double handshakeSeconds = FanoutScenario.seconds(System.nanoTime() - start);
            TimeUnit.SECONDS.sleep(3);
            long residentAfter = bench.gateway.residentBytes();

            long pushStart = System.nanoTime();
            bench.api.sendPush(SendPushRequest.newBuilder()
                    .setTarget(Target.newBuilder().setWhereJson("{\"deviceType\":\"embedded\"}"))
                    .setDataJson("{\"alert\":\"to every device\"}").build());
            awaitCount(received, count, Duration.ofMinutes(5));
            double pushSeconds = FanoutScenario.seconds(System.nanoTime() - pushStart);

            new Report("ppns-connections")
                    .put("connections (TLS)", count, "")
                    .put("handshakes per second", count / handshakeSeconds, "/s")
                    .put("gateway resident memory growth", (residentAfter - residentBefore) / 1e6, "MB")
                    .put("memory per connection", (double) (residentAfter - residentBefore) / count / 1024, "KB")
                    .put("seconds for one push to reach all", pushSeconds, "s")
                    .note("gateway heap cap", options.heap())
                    .write(options.report());
            synchronized (devices) {
                devices.forEach(PpnsDeviceClient::close);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void awaitCount(AtomicInteger counter, int target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counter.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counter.get() + " of " + target + " within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
