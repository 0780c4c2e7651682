package org.parsepush.gateway.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.GatewayProcess;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.PushLine;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.TestCertificates;

/**
 * PPNS devices come back online with a full inbox (200 pushes each, as the gateway keeps
 * them for offline devices), and the gateway process is killed (SIGKILL) while it replays
 * those inboxes. Started again, it replays to each reconnecting
 * device what is newer than the {@code last} push time the device says it saw: every device
 * ends with every push, and, push times being distinct, none twice.
 */
class PpnsReplayKillFaultTest {

    static final int DEVICES = 20;
    static final int PUSHES = 200;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** One device across its connections: every push id it received, in order. */
    static final class Device {
        final String installationId;
        final List<String> received = new CopyOnWriteArrayList<>();
        PpnsDeviceClient client;

        Device(String installationId) {
            this.installationId = installationId;
        }

        void connect(EventLoopGroup group, int port, Path ca, String last) throws Exception {
            client = PpnsDeviceClient.connect(group, new DeviceEndpoint("localhost", port, DeviceTls.trusting(ca)),
                    this::line).get(10, TimeUnit.SECONDS);
            client.handshake(installationId, TestGateway.APP_ID, last).get(5, TimeUnit.SECONDS);
        }

        private void line(String line) {
            if (line.contains("\"push_id\"")) {
                try {
                    JsonNode push = JSON.readTree(line);
                    received.add(push.path("push_id").asText());
                } catch (Exception e) {
                    received.add("<unreadable " + line + ">");
                }
            }
        }
    }

    @Test
    void devicesReplayingTheirInboxWhenTheGatewayIsKilledGetEveryPushAfterTheRestart() throws Exception {
        TestCertificates certificates = TestCertificates.create(Files.createDirectories(dir.resolve("ppns-certs")));
        EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(2);
        try (TestMongo mongo = TestMongo.start()) {
            List<Device> devices = seed(mongo);
            List<String> pushIds = fillInboxes(mongo, devices);
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, TestGateway.yaml(dir.resolve("data"), """
                    mongo: {uri: "%s"}
                    ppns: {port: 0, certificateChainFile: "%s", privateKeyFile: "%s", deliveryPollMillis: 50}
                    jobs: {leaseSeconds: 3, pollMillis: 100}
                    """.formatted(mongo.uri(), certificates.certificateChain(), certificates.privateKey())));

            int atKill;
            try (GatewayProcess first = GatewayProcess.start(config, Map.of())) {
                int ppns = ppnsPort(first);
                for (Device device : devices) {
                    device.connect(group, ppns, certificates.caCertificate(), null);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (devices.stream().allMatch(d -> d.received.size() < PUSHES / 4) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                first.kill();
                atKill = received(devices);
            }
            long partial = devices.stream().filter(d -> d.received.size() > 0 && d.received.size() < PUSHES).count();
            long none = devices.stream().filter(d -> d.received.isEmpty()).count();
            System.out.printf("ppns replay kill: %d of %d lines received by the kill; %d devices part-way,"
                    + " %d with nothing yet%n", atKill, DEVICES * PUSHES, partial, none);
            assertTrue(atKill < DEVICES * PUSHES, "every replay finished before the kill; nothing was tested");

            Map<String, String> lastSeen = new java.util.HashMap<>();
            for (Device device : devices) {
                device.client.closed().get(10, TimeUnit.SECONDS);
                lastSeen.put(device.installationId, device.client.lastPushTime());
            }
            try (GatewayProcess second = GatewayProcess.start(config, Map.of())) {
                int ppns = ppnsPort(second);
                for (Device device : devices) {
                    device.connect(group, ppns, certificates.caCertificate(), lastSeen.get(device.installationId));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (devices.stream().anyMatch(d -> new HashSet<>(d.received).size() < PUSHES)
                        && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                // A little longer: anything sent twice would arrive now.
                TimeUnit.MILLISECONDS.sleep(300);
                for (Device device : devices) {
                    device.client.close();
                }
            }
            Set<String> every = new HashSet<>(pushIds);
            for (Device device : devices) {
                assertEquals(every, new HashSet<>(device.received), device.installationId + " is missing pushes");
                // Replay resumes after the device's `last`: nothing it saw comes again.
                assertEquals(PUSHES, device.received.size(), device.installationId + " got a push twice");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * PUSHES pushes waiting in every device's inbox, as the gateway stores them for offline
     * devices, one second apart and each line close to the 1 KB devices take, so that a
     * replay takes long enough to be cut.
     */
    private static List<String> fillInboxes(TestMongo mongo, List<Device> devices) {
        Inbox inbox = new Inbox(mongo.database("testdb"));
        Instant first = Instant.now().minus(Duration.ofHours(1));
        Instant keepUntil = Instant.now().plus(Duration.ofDays(1));
        List<String> pushIds = new ArrayList<>();
        String filler = "x".repeat(800);
        List<Document> entries = new ArrayList<>();
        for (int i = 0; i < PUSHES; i++) {
            String pushId = String.format("p%09d", i);
            pushIds.add(pushId);
            PushLine line = PushLine.of("{\"alert\":\"inbox " + i + "\",\"filler\":\"" + filler + "\"}", pushId,
                    first.plusSeconds(i));
            for (Device device : devices) {
                entries.add(Inbox.entry(device.installationId, pushId, line.time(), line.text(), keepUntil, null));
            }
        }
        inbox.add(entries);
        return pushIds;
    }

    private static int received(List<Device> devices) {
        return devices.stream().mapToInt(device -> device.received.size()).sum();
    }

    private static List<Device> seed(TestMongo mongo) {
        List<Device> devices = new ArrayList<>();
        List<Document> installations = new ArrayList<>();
        Date now = new Date();
        for (int i = 0; i < DEVICES; i++) {
            String id = String.format("replay-device-%03d", i);
            devices.add(new Device(id));
            installations.add(new Document("_id", String.format("R%08d", i)).append("installationId", id)
                    .append("deviceType", "embedded").append("channels", List.of("replay"))
                    .append("_created_at", now).append("_updated_at", now));
        }
        mongo.database("testdb").getCollection("_Installation").insertMany(installations);
        return devices;
    }


    private static int ppnsPort(GatewayProcess process) throws InterruptedException {
        return Integer.parseInt(process.awaitLine("PPNS endpoint listening on [^:]+:(\\d+)", Duration.ofSeconds(60)));
    }


}
