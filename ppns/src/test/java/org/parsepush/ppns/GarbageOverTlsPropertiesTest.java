package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.Eventually;
import org.parsepush.ppns.testing.TestCertificates;
import org.parsepush.ppns.testing.TestDevice;
import org.parsepush.ppns.testing.TestServer;

/**
 * Garbage, over-long and partial lines sent over TLS to a running server. The documented
 * behaviour: a connection whose first line is not an admissible handshake is closed (at once
 * for a malformed or over-long line, at the handshake timeout for a line never finished); an
 * admitted device is closed for a line that is not JSON or is too long, and its other JSON
 * is ignored. No connection ends as an unexpected {@code error}, and a bystander device is
 * answered throughout.
 */
class GarbageOverTlsPropertiesTest {

    private static final int MAX_LINE_BYTES = 256;
    private static Path dir;
    private static TestServer test;
    private static EventLoopGroup group;
    private static DeviceEndpoint endpoint;
    private static TestDevice bystander;
    private static int sequence;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("ppns-garbage");
        TestCertificates certificates = TestCertificates.create(dir);
        test = TestServer.start(PpnsSettings.builder().tls(certificates.certificateChain(), certificates.privateKey())
                .maxLineBytes(MAX_LINE_BYTES).handshakeTimeout(Duration.ofSeconds(1)));
        group = PpnsDeviceClient.newEventLoopGroup(1);
        endpoint = new DeviceEndpoint("localhost", test.port(), DeviceTls.trusting(certificates.caCertificate()));
        bystander = TestDevice.admitted(group, endpoint, "bystander");
    }

    @AfterContainer
    static void stop() {
        bystander.close();
        test.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Property(tries = 60)
    void garbageInsteadOfAHandshakeIsClosedAndCountedAsDocumented(@ForAll("garbage") byte[] garbage) {
        double ended = handshakesEnded();
        double accepted = test.handshakes("accepted");
        try (TestDevice device = TestDevice.connect(group, endpoint)) {
            device.client().sendRaw(garbage);

            if (!Lines.firstIsAdmissible(garbage)) {
                device.awaitClosed();
                assertEquals(accepted, test.handshakes("accepted"));
            }
            Eventually.until("the handshake's ending is counted once", () -> handshakesEnded() == ended + 1);
        }
        assertEquals(0, test.handshakes("error"), "no connection ended in an unexpected failure");
        bystander.pingAnswered();
    }

    @Property(tries = 40)
    void garbageFromAnAdmittedDeviceClosesItOrIsIgnored(@ForAll("garbage") byte[] garbage) {
        double closedBefore = test.disconnects("malformed") + test.disconnects("line_too_long");
        byte[] thenPing = (new String(garbage, StandardCharsets.ISO_8859_1) + "\n{}\n").getBytes(StandardCharsets.ISO_8859_1);
        Lines.Expected expected = Lines.afterAdmission(thenPing);
        try (TestDevice device = TestDevice.admitted(group, endpoint, "admitted-" + sequence++)) {
            device.client().sendRaw(thenPing);

            for (int i = 0; i < expected.answers(); i++) {
                assertEquals("{}", device.lines().next(), "keep-alive answer " + (i + 1) + " of " + expected.answers());
            }
            if (expected.closed()) {
                device.awaitClosed();
                Eventually.until("the disconnect is counted as malformed or too long",
                        () -> test.disconnects("malformed") + test.disconnects("line_too_long") == closedBefore + 1);
            } else {
                device.pingAnswered();
            }
        }
        assertEquals(0, test.disconnects("error"), "no connection ended in an unexpected failure");
        bystander.pingAnswered();
    }

    /** Every handshake that has ended, whichever way. */
    private static double handshakesEnded() {
        return test.meters.get("ppns.handshakes").counters().stream().mapToDouble(counter -> counter.count()).sum();
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<String> lines = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(80),
                Arbitraries.of("{}", "{ }", "[]", "null", "\"x\"", "{\"installation_id\":1}", "GET / HTTP/1.1",
                        "{\"installation_id\":\"a\",\"oauth_key\":\"other-app\"}", "\r", "", "{\"a\":", "\u0000"),
                Arbitraries.strings().withChars('{', '}', '"', ':', ',', '[', ']', ' ').ofMaxLength(30),
                Arbitraries.strings().ofLength(MAX_LINE_BYTES + 1));
        Arbitrary<byte[]> text = lines.list().ofMinSize(1).ofMaxSize(4)
                .flatMap(parts -> Arbitraries.of(true, false).map(finished -> {
                    String joined = String.join("\n", parts) + (finished ? "\n" : "");
                    return joined.getBytes(StandardCharsets.UTF_8);
                }));
        return Arbitraries.oneOf(randomBytes, text).filter(bytes -> bytes.length > 0 && !Lines.ambiguous(bytes));
    }

    /**
     * The test's oracle: the lines as the server's pipeline frames them (split at {@code \n},
     * a {@code \r} before it dropped, UTF-8 with replacement characters, a line longer than
     * {@link #MAX_LINE_BYTES} ending the connection), judged with the server's own parser.
     */
    private static final class Lines {

        record Expected(int answers, boolean closed) {
        }

        /** Whether the first non-blank line is a handshake of the test app, which the server admits. */
        static boolean firstIsAdmissible(byte[] bytes) {
            for (String line : frames(bytes)) {
                if (line == null) {
                    return false;
                }
                if (!line.isBlank()) {
                    try {
                        return TestServer.APP_ID.equals(HandshakeParser.parse(line).applicationId());
                    } catch (MalformedHandshakeException e) {
                        return false;
                    }
                }
            }
            return false;
        }

        /** How many {@code {}} an admitted device gets back, and whether it is closed after them. */
        static Expected afterAdmission(byte[] bytes) {
            int answers = 0;
            for (String line : frames(bytes)) {
                if (line == null) {
                    return new Expected(answers, true);
                }
                String json = line.strip();
                if (json.equals("{}")) {
                    answers++;
                } else if (!json.isEmpty()) {
                    try {
                        JsonNode message = PpnsJson.MAPPER.readTree(json);
                        if (message.isObject() && message.isEmpty()) {
                            answers++;
                        }
                    } catch (JsonProcessingException e) {
                        return new Expected(answers, true);
                    }
                }
            }
            return new Expected(answers, false);
        }

        /**
         * A line of exactly the limit ended by {@code \r\n} is too long or not depending on
         * whether the {@code \r} and {@code \n} arrive in one read: left out of the tries.
         */
        static boolean ambiguous(byte[] bytes) {
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    if (i - start == MAX_LINE_BYTES + 1 && bytes[i - 1] == '\r') {
                        return true;
                    }
                    start = i + 1;
                }
            }
            return false;
        }

        /** The complete lines in order; a null stands for a line too long, after which nothing is read. */
        private static List<String> frames(byte[] bytes) {
            List<String> frames = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= bytes.length; i++) {
                if (i - start > MAX_LINE_BYTES) {
                    frames.add(null);
                    return frames;
                }
                if (i < bytes.length && bytes[i] == '\n') {
                    int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                    if (end - start > MAX_LINE_BYTES) {
                        frames.add(null);
                        return frames;
                    }
                    frames.add(new String(bytes, start, end - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return frames;
        }
    }
}
