package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.Eventually;
import org.parsepush.ppns.testing.TestDevice;
import org.parsepush.ppns.testing.TestServer;

/**
 * A storm of reconnects: while the gateway is slow to admit, connections beyond the bound
 * are closed at once instead of queueing, and admitted devices keep being served. Plain TCP,
 * as behind a TLS-terminating load balancer.
 */
class ReconnectStormTest {

    private static final int MAX_PENDING = 2;

    static EventLoopGroup group;

    private final Map<String, CompletableFuture<Admission>> undecided = new ConcurrentHashMap<>();
    private TestServer test;
    private DeviceEndpoint endpoint;

    @BeforeAll
    static void clients() {
        group = PpnsDeviceClient.newEventLoopGroup(1);
    }

    @AfterAll
    static void stopClients() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @BeforeEach
    void startServer() throws Exception {
        // The storm's devices wait for admission until the test decides; the others are admitted at once.
        test = TestServer.start(PpnsSettings.builder()
                        .plainTcp()
                        .maxPendingHandshakes(MAX_PENDING)
                        .handshakeTimeout(Duration.ofMinutes(5)),
                handshake -> handshake.installationId().startsWith("storm-")
                        ? undecided.computeIfAbsent(handshake.installationId(), id -> new CompletableFuture<>())
                        : TestServer.knownAppOnly(handshake));
        endpoint = DeviceEndpoint.plainTcp("127.0.0.1", test.port());
    }

    @AfterEach
    void stopServer() {
        test.close();
    }

    @Test
    void closesConnectionsBeyondTheBoundAndKeepsServing() {
        try (TestDevice bystander = TestDevice.admitted(group, endpoint, "bystander");
             TestDevice first = TestDevice.connect(group, endpoint);
             TestDevice second = TestDevice.connect(group, endpoint)) {
            first.client().handshake("storm-1", TestServer.APP_ID, null);
            second.client().handshake("storm-2", TestServer.APP_ID, null);
            Eventually.until("both wait for admission", () -> undecided.size() == MAX_PENDING);
            assertEquals(MAX_PENDING, test.gauge("ppns.handshakes.pending"));

            try (TestDevice third = TestDevice.connect(group, endpoint)) {
                third.awaitClosed();
            }
            Eventually.until("the refusal is counted", () -> test.handshakes("over_capacity") == 1);
            bystander.pingAnswered();

            undecided.values().forEach(admission -> admission.complete(Admission.accept()));
            assertEquals("{}", first.lines().next(), "its early ping is answered after admission");
            assertEquals("{}", second.lines().next());
            try (TestDevice later = TestDevice.admitted(group, endpoint, "later")) {
                assertEquals(4, test.server().connections().count());
                later.pingAnswered();
            }
        }
    }
}
