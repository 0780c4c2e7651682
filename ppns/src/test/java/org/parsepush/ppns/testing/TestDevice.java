package org.parsepush.ppns.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.EventLoopGroup;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.PpnsDeviceClient;

/** A device client with the lines it received. */
public record TestDevice(PpnsDeviceClient client, ReceivedLines lines) implements AutoCloseable {

    /** Connects (and completes TLS) without a handshake. */
    public static TestDevice connect(EventLoopGroup group, DeviceEndpoint endpoint) {
        ReceivedLines lines = new ReceivedLines();
        return new TestDevice(Eventually.get("connecting", PpnsDeviceClient.connect(group, endpoint, lines)), lines);
    }

    /** Connects and handshakes as {@code installationId} of the test app, and waits for the ping's answer. */
    public static TestDevice admitted(EventLoopGroup group, DeviceEndpoint endpoint, String installationId) {
        TestDevice device = connect(group, endpoint);
        device.client.handshake(installationId, TestServer.APP_ID, null);
        assertEquals("{}", device.lines.next(), "the answer to the ping after the handshake");
        return device;
    }

    /** Pings and expects the answer: the connection works. */
    public void pingAnswered() {
        client.ping();
        assertEquals("{}", lines.next());
    }

    /** Waits until the server has closed the connection. */
    public void awaitClosed() {
        Eventually.get("the server closing the connection", client.closed());
    }

    @Override
    public void close() {
        client.close();
    }
}
