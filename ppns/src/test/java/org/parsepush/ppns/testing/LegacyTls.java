package org.parsepush.ppns.testing;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A client that offers only TLS 1.1. The JDK refuses to offer TLS 1.1 itself, so the
 * ClientHello is written by hand: the server must answer with an alert (or close), never
 * with a ServerHello.
 */
public final class LegacyTls {

    private LegacyTls() {
    }

    /** Sends a TLS 1.1 ClientHello to 127.0.0.1:{@code port} and checks that no handshake follows. */
    public static void assertRefusesTls11(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout((int) Eventually.DEADLINE.toMillis());
            socket.getOutputStream().write(tls11ClientHello());
            socket.getOutputStream().flush();

            int contentType = socket.getInputStream().read();
            assertNotEquals(0x16, contentType, "the server went on with a TLS 1.1 handshake");
            drain(socket.getInputStream());
        }
    }

    private static byte[] tls11ClientHello() throws IOException {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(hello);
        out.writeShort(0x0302); // TLS 1.1, with no supported_versions extension to offer more
        out.write(new byte[32]); // random
        out.writeByte(0); // no session id
        out.writeShort(4);
        out.writeShort(0xC013); // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
        out.writeShort(0x002F); // TLS_RSA_WITH_AES_128_CBC_SHA
        out.writeByte(1);
        out.writeByte(0); // no compression
        byte[] body = hello.toByteArray();

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        DataOutputStream recordOut = new DataOutputStream(record);
        recordOut.writeByte(0x16); // handshake record
        recordOut.writeShort(0x0301);
        recordOut.writeShort(body.length + 4);
        recordOut.writeByte(1); // ClientHello
        recordOut.writeByte(0);
        recordOut.writeShort(body.length);
        recordOut.write(body);
        return record.toByteArray();
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[1024];
        while (in.read(buffer) >= 0) {
            // until the server closes
        }
    }
}
