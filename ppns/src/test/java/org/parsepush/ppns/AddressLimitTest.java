package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.parsepush.ppns.testing.Eventually;
import org.parsepush.ppns.testing.TestServer;

/** One source address may hold only so many connections; other addresses are not affected. */
class AddressLimitTest {

    @Test
    void connectionsBeyondTheBoundOfOneAddressAreClosedAtOnceWhileOtherAddressesConnect() throws Exception {
        try (TestServer test = TestServer.start(PpnsSettings.builder().plainTcp().maxConnectionsPerAddress(2));
             Socket first = connect(test, "127.0.0.1");
             Socket second = connect(test, "127.0.0.1")) {
            assertTrue(stillOpen(first) && stillOpen(second), "connections within the bound were closed");
            try (Socket third = connect(test, "127.0.0.1");
                 Socket elsewhere = connect(test, "127.0.0.2")) {
                assertEquals(-1, third.getInputStream().read(), "the third connection from one address stayed open");
                assertTrue(stillOpen(elsewhere), "another address was refused too");
            }
            Eventually.until("the refusal is counted", () -> test.handshakes("address_limit") == 1);
            first.close();
            // A closed connection frees its place for the same address.
            Eventually.until("a place comes free", () -> {
                try (Socket again = connect(test, "127.0.0.1")) {
                    return stillOpen(again);
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    private static Socket connect(TestServer test, String source) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", test.port()), 2000);
        return socket;
    }

    /** Open when the server neither closed it nor said anything within half a second (it awaits a handshake). */
    private static boolean stillOpen(Socket socket) throws IOException {
        socket.setSoTimeout(500);
        try {
            return socket.getInputStream().read() != -1;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }
}
