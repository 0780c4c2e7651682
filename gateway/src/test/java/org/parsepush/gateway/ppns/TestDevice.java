package org.parsepush.gateway.ppns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.device.PpnsDeviceClient;

/** A PPNS device in a test: the protocol client from {@code ppns/} over TLS, with its lines queued. */
final class TestDevice implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PpnsDeviceClient client;
    private final BlockingDeque<String> lines = new LinkedBlockingDeque<>();

    private TestDevice(EventLoopGroup group, int port, Path ca) throws Exception {
        DeviceEndpoint endpoint = new DeviceEndpoint("localhost", port, DeviceTls.trusting(ca));
        this.client = PpnsDeviceClient.connect(group, endpoint, lines::add).get(10, TimeUnit.SECONDS);
    }

    /** Connects and says {@code handshakeLine}, then pings, as the Linux SDK does. */
    static TestDevice connect(EventLoopGroup group, int port, Path ca, String handshakeLine) throws Exception {
        TestDevice device = new TestDevice(group, port, ca);
        device.client.sendLine(handshakeLine).get(5, TimeUnit.SECONDS);
        device.client.ping().get(5, TimeUnit.SECONDS);
        return device;
    }

    static String handshake(String installationId, String appId, String last) {
        return PpnsDeviceClient.handshakeLine(installationId, appId, last);
    }

    /**
     * Connects and says {@code handshakeLine} without waiting for the writes: a server that
     * turns the device away may close the connection before the ping is written.
     */
    static TestDevice attempt(EventLoopGroup group, int port, Path ca, String handshakeLine) throws Exception {
        TestDevice device = new TestDevice(group, port, ca);
        device.client.sendLine(handshakeLine);
        device.client.ping();
        return device;
    }

    /** Waits for the answer to the ping: the device is admitted. */
    void awaitPong() throws InterruptedException {
        // A replay may be written before the answer or after it: pushes read first stay queued, in order.
        List<String> pushesFirst = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String line;
        while ((line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null
                && line.contains("\"push_id\"")) {
            pushesFirst.add(line);
        }
        for (int i = pushesFirst.size() - 1; i >= 0; i--) {
            lines.addFirst(pushesFirst.get(i));
        }
        if (!"{}".equals(line)) {
            throw new AssertionError("expected the {} answer, got " + line);
        }
    }

    /** The next push line, or null after {@code millis}. */
    JsonNode nextPush(long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (line == null) {
                return null;
            }
            if (line.contains("\"push_id\"")) {
                return JSON.readTree(line);
            }
        }
    }

    /** Every push line that arrives within {@code millis}. */
    List<JsonNode> pushesWithin(long millis) throws Exception {
        List<JsonNode> pushes = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (JsonNode push; (push = nextPush(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))) != null; ) {
            pushes.add(push);
        }
        return pushes;
    }

    boolean closedWithin(long millis) throws Exception {
        try {
            client.closed().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    PpnsDeviceClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }
}
