package org.parsepush.ppns.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.ppns.PpnsConnection;
import org.parsepush.ppns.PpnsSettings;
import org.parsepush.ppns.PushLine;
import org.parsepush.ppns.testing.Eventually;
import org.parsepush.ppns.testing.TestCertificates;
import org.parsepush.ppns.testing.TestServer;

/** The simulator against a real server over TLS, trusting the test CA given as {@code --ca}. */
class DeviceSimulatorTest {

    @Test
    void printsPushesAndReconnectsWithTheTimeOfTheLastOne(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TestServer test = TestServer.start(PpnsSettings.builder()
                .tls(certificates.certificateChain(), certificates.privateKey()));
             DeviceSimulator simulator = DeviceSimulator.start(new SimulatorOptions("localhost", test.port(),
                     TestServer.APP_ID, List.of("sim-1"), false, certificates.caCertificate(), false, null,
                     Duration.ofHours(1), Duration.ofMillis(100), 0), new PrintStream(out, true, StandardCharsets.UTF_8),
                     new PrintStream(OutputStream.nullOutputStream()))) {
            PpnsConnection first = test.connection("sim-1");
            assertNull(first.handshake().last());

            PushLine push = PushLine.of("{\"alert\":\"hello\"}", "pushId0001", Instant.parse("2016-02-16T22:00:00.5Z"));
            Eventually.get("sending", first.send(push));
            Eventually.until("the push is printed", () -> out.toString(StandardCharsets.UTF_8)
                    .equals("sim-1 " + push.text() + System.lineSeparator()));

            first.close();
            Eventually.until("the device reconnects", () -> test.connected.size() == 2);
            assertEquals(Instant.parse("2016-02-16T22:00:00.500Z"), test.connected.get(1).handshake().last());
            assertFalse(simulator.stopped().isDone(), "a device keeps reconnecting until the simulator stops");
        }
    }

    /** Devices beyond one address's ephemeral ports: the server sees them come from several addresses. */
    @Test
    void spreadsDevicesOverSeveralLoopbackSourceAddresses(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        try (TestServer test = TestServer.start(PpnsSettings.builder()
                .tls(certificates.certificateChain(), certificates.privateKey()));
             DeviceSimulator simulator = DeviceSimulator.start(SimulatorOptions.parse("--host", "localhost",
                     "--port", String.valueOf(test.port()), "--app-id", TestServer.APP_ID, "--devices", "4",
                     "--ca", certificates.caCertificate().toString(), "--source-addresses", "2"),
                     new PrintStream(OutputStream.nullOutputStream()), new PrintStream(OutputStream.nullOutputStream()))) {
            Eventually.until("four devices are connected", () -> test.server().connections().count() == 4);

            Map<String, Long> perAddress = test.server().connections().stream()
                    .map(connection -> ((InetSocketAddress) connection.remoteAddress()).getAddress().getHostAddress())
                    .collect(Collectors.groupingBy(address -> address, Collectors.counting()));
            assertEquals(Map.of("127.0.0.2", 2L, "127.0.0.3", 2L), perAddress);
            assertFalse(simulator.stopped().isDone());
        }
    }
}
