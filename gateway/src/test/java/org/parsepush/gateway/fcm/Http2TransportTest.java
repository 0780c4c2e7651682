package org.parsepush.gateway.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.TestPki;

/** The FCM transport against a real HTTP/2 server over loopback, cleartext and TLS. */
class Http2TransportTest {

    private static final String SEND = "https://fcm.googleapis.com/v1/projects/p/messages:send";

    @TempDir
    Path dir;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        executor.shutdownNow();
    }

    @Test
    void concurrentRequestsGetTheirOwnAnswersWhateverTheStatus() throws Exception {
        LocalHttp2Server server = serve(LocalHttp2Server.cleartext(Http2TransportTest::echo, executor));
        Http2Transport transport = transport("http://127.0.0.1:" + server.port(), null, 2);

        List<Future<String>> answers = sendConcurrently(transport, 200);

        for (int i = 0; i < 200; i++) {
            assertEquals((i % 10 == 0 ? 404 : 200) + " message-" + i + " at /v1/projects/p/messages:send",
                    answers.get(i).get());
        }
    }

    @Test
    void requestsBeyondTheServersStreamLimitWaitTheirTurnInsteadOfFailing() throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger mostOpen = new AtomicInteger();
        LocalHttp2Server server = serve(LocalHttp2Server.cleartext(request -> {
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            try {
                TimeUnit.MILLISECONDS.sleep(5);
                return echo(request);
            } finally {
                open.decrementAndGet();
            }
        }, executor, 8));
        Http2Transport transport = transport("http://127.0.0.1:" + server.port(), null, 1);

        List<Future<String>> answers = sendConcurrently(transport, 100);

        for (int i = 0; i < 100; i++) {
            assertTrue(answers.get(i).get().endsWith(" message-" + i + " at /v1/projects/p/messages:send"));
        }
        assertTrue(mostOpen.get() <= 8, "the server saw " + mostOpen.get() + " requests at once, over its limit of 8");
    }

    @Test
    void tlsWithAlpnReachesAServerSignedByTheTrustedCa() throws Exception {
        TestPki pki = TestPki.create(dir, "fcm");
        TestPki.Issued certificate = pki.server("fcm");
        LocalHttp2Server server = serve(LocalHttp2Server.tls(Http2TransportTest::echo, executor,
                certificate.certificate(), certificate.privateKey()));
        Http2Transport transport = transport("https://localhost:" + server.port(), pki.caCertificate(), 2);

        assertEquals("200 message-1 at /v1/projects/p/messages:send", send(transport, "message-1"));
    }

    @Test
    void aServerWithAnUntrustedCertificateIsRefused() throws Exception {
        TestPki.Issued certificate = TestPki.create(dir, "stranger").server("fcm");
        LocalHttp2Server server = serve(LocalHttp2Server.tls(Http2TransportTest::echo, executor,
                certificate.certificate(), certificate.privateKey()));
        Http2Transport transport = transport("https://localhost:" + server.port(),
                TestPki.create(dir, "ours").caCertificate(), 1);

        IOException refused = assertThrows(IOException.class, () -> send(transport, "message-1"));
        assertTrue(refused.getMessage().startsWith("TLS handshake with the FCM endpoint failed"), refused.getMessage());
    }

    @Test
    void aServerThatWillNotSpeakHttp2IsRefusedWithTheReason() throws Exception {
        TestPki pki = TestPki.create(dir, "fcm");
        TestPki.Issued certificate = pki.server("fcm");
        LocalHttp2Server server = serve(LocalHttp2Server.tls(Http2TransportTest::echo, executor,
                certificate.certificate(), certificate.privateKey(), "http/1.1"));
        Http2Transport transport = transport("https://localhost:" + server.port(), pki.caCertificate(), 1);

        IOException refused = assertThrows(IOException.class, () -> send(transport, "message-1"));
        assertEquals("the FCM endpoint did not agree to HTTP/2 (ALPN chose nothing)", refused.getMessage());
    }

    @Test
    void anUnansweredRequestTimesOutAloneAndTheConnectionKeepsServing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        LocalHttp2Server server = serve(LocalHttp2Server.cleartext(request -> {
            if (new String(request.body()).equals("stall")) {
                release.await(30, TimeUnit.SECONDS);
            }
            return echo(request);
        }, executor));
        Http2Transport transport = transport("http://127.0.0.1:" + server.port(), null, 1);
        try {
            HttpRequest stalled = request(transport, "stall");
            stalled.setReadTimeout(300);
            assertThrows(SocketTimeoutException.class, stalled::execute);

            assertEquals("200 message-2 at /v1/projects/p/messages:send", send(transport, "message-2"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void aStreamTheServerResetsFailsItsRequestWithTheReasonAndTheConnectionKeepsServing() throws Exception {
        LocalHttp2Server server = serve(LocalHttp2Server.cleartext(
                request -> new String(request.body()).equals("refuse me") ? LocalHttp2Server.Answer.RESET : echo(request),
                executor));
        Http2Transport transport = transport("http://127.0.0.1:" + server.port(), null, 1);

        IOException reset = assertThrows(IOException.class, () -> request(transport, "refuse me").execute());

        assertEquals("FCM reset the stream (HTTP/2 error REFUSED_STREAM)", reset.getMessage());
        assertEquals("200 message-2 at /v1/projects/p/messages:send", send(transport, "message-2"));
    }

    @Test
    void aRequestInFlightFailsAtOnceWhenItsConnectionIsLost() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LocalHttp2Server server = LocalHttp2Server.cleartext(request -> {
            arrived.countDown();
            release.await(30, TimeUnit.SECONDS);
            return echo(request);
        }, executor);
        Http2Transport transport = transport("http://127.0.0.1:" + server.port(), null, 1);
        try {
            Future<IOException> failure = executor.submit(() -> assertThrows(IOException.class,
                    () -> request(transport, "in flight").execute()));
            assertTrue(arrived.await(10, TimeUnit.SECONDS), "the request reached the server");

            server.close();

            // Well inside the SDK's 20-second read timeout: the answer is known to be lost.
            IOException lost = failure.get(10, TimeUnit.SECONDS);
            assertEquals("the connection to FCM was lost before the answer", lost.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aLostConnectionIsReplacedForTheNextRequest() throws Exception {
        LocalHttp2Server first = LocalHttp2Server.cleartext(Http2TransportTest::echo, executor);
        int port = first.port();
        Http2Transport transport = transport("http://127.0.0.1:" + port, null, 1);
        assertEquals("200 message-1 at /v1/projects/p/messages:send", send(transport, "message-1"));

        first.close();
        LocalHttp2Server second = serve(LocalHttp2Server.cleartextOn(port, Http2TransportTest::echo, executor));

        assertEquals("200 message-2 at /v1/projects/p/messages:send", send(transport, "message-2"));
        assertTrue(second.port() == port);
    }

    @Test
    void onlyFcmsOwnUrlsAreCarried() throws Exception {
        Http2Transport transport = transport("http://127.0.0.1:9", null, 1);

        IOException refused = assertThrows(IOException.class, () -> transport.createRequestFactory()
                .buildGetRequest(new GenericUrl("https://iid.googleapis.com/iid/v1:batchAdd")).execute());
        assertEquals("the FCM transport only carries FCM's HTTP v1 API, not iid.googleapis.com", refused.getMessage());
    }

    private static LocalHttp2Server.Answer echo(LocalHttp2Server.Request request) {
        String body = new String(request.body());
        return new LocalHttp2Server.Answer(body.endsWith("0") ? 404 : 200, Map.of("content-type", "text/plain"),
                body + " at " + request.path());
    }

    private LocalHttp2Server serve(LocalHttp2Server server) {
        open.add(server);
        return server;
    }

    private Http2Transport transport(String endpoint, Path trustedCa, int connections) throws Exception {
        Http2Transport transport = new Http2Transport(endpoint, connections, trustedCa, Duration.ofSeconds(5));
        open.add(transport);
        return transport;
    }

    private List<Future<String>> sendConcurrently(Http2Transport transport, int count) {
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = "message-" + i;
            answers.add(executor.submit(() -> send(transport, body)));
        }
        return answers;
    }

    private static String send(Http2Transport transport, String body) throws IOException {
        HttpResponse response = request(transport, body).execute();
        return response.getStatusCode() + " " + response.parseAsString();
    }

    private static HttpRequest request(Http2Transport transport, String body) throws IOException {
        HttpRequest request = transport.createRequestFactory().buildPostRequest(new GenericUrl(SEND),
                ByteArrayContent.fromString("text/plain", body));
        request.setThrowExceptionOnExecuteError(false);
        return request;
    }
}
