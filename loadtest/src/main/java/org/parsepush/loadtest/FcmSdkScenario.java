package org.parsepush.loadtest;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.core.ApiFuture;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.BatchResponse;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.Message;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * The ceiling the Firebase Admin SDK itself sets on FCM fan-out: messages built like the
 * gateway's, sent through the SDK to a transport that answers every request at once in
 * memory (no network, no server, no gateway). What remains is the SDK's own work per
 * message (request building, JSON, its futures and threads), measured two ways: the
 * gateway's way ({@code sendEachAsync} in batches of 500 on the SDK's 100 threads) and one
 * thread calling {@code send}. Each is run for {@code --seconds}, the first half as warm-up.
 */
final class FcmSdkScenario {

    private static final byte[] ACCEPTED = "{\"name\":\"projects/bench/messages/1\"}".getBytes(StandardCharsets.UTF_8);
    private static final int BATCH = 500;

    private FcmSdkScenario() {
    }

    static void run(Options options) throws Exception {
        GoogleCredentials credentials = GoogleCredentials.create(
                new AccessToken("bench", new Date(System.currentTimeMillis() + 3_600_000)));
        FirebaseApp app = FirebaseApp.initializeApp(FirebaseOptions.builder().setCredentials(credentials)
                .setProjectId("bench").setHttpTransport(new AnswersAtOnce()).build(), "fcm-sdk-ceiling");
        try {
            FirebaseMessaging messaging = FirebaseMessaging.getInstance(app);
            long halfMillis = options.seconds() * 500L;
            measure(() -> pooled(messaging), halfMillis);
            double pooled = measure(() -> pooled(messaging), halfMillis);
            measure(() -> oneThread(messaging), halfMillis);
            double oneThread = measure(() -> oneThread(messaging), halfMillis);
            new Report("fcm-sdk")
                    .put("sendEachAsync, SDK's 100 threads, per second", pooled, "/s")
                    .put("send on one thread, per second", oneThread, "/s")
                    .note("transport", "answers in memory at once; no network, no server")
                    .write(options.report());
        } finally {
            app.delete();
        }
    }

    private interface Round {
        int send() throws Exception;
    }

    /** Messages per second over rounds run for about {@code millis}. */
    private static double measure(Round round, long millis) throws Exception {
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000;
        long sent = 0;
        while (System.nanoTime() < deadline) {
            sent += round.send();
        }
        return sent / ((System.nanoTime() - start) / 1e9);
    }

    private static int pooled(FirebaseMessaging messaging) throws Exception {
        List<ApiFuture<BatchResponse>> batches = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            batches.add(messaging.sendEachAsync(messages(b)));
        }
        for (ApiFuture<BatchResponse> batch : batches) {
            if (batch.get().getSuccessCount() != BATCH) {
                throw new IllegalStateException("the in-memory transport refused a message");
            }
        }
        return 8 * BATCH;
    }

    private static int oneThread(FirebaseMessaging messaging) throws Exception {
        for (Message message : messages(0)) {
            messaging.send(message);
        }
        return BATCH;
    }

    /** A batch shaped like the gateway's Parse data messages, one token each. */
    private static List<Message> messages(int batch) {
        Map<String, String> data = Map.of("push_id", "bench" + batch, "time", "2026-11-26T00:00:00.000Z",
                "data", "{\"alert\":\"A sale starts now\",\"badge\":\"Increment\"}");
        List<Message> messages = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            messages.add(Message.builder().putAllData(data).setToken("fcm-" + batch + "-" + i)
                    .setAndroidConfig(AndroidConfig.builder().setPriority(AndroidConfig.Priority.HIGH).build()).build());
        }
        return messages;
    }

    /** Reads each request's body and answers 200 with FCM's success body, without a network. */
    private static final class AnswersAtOnce extends HttpTransport {
        @Override
        protected LowLevelHttpRequest buildRequest(String method, String url) {
            return new LowLevelHttpRequest() {
                @Override
                public void addHeader(String name, String value) {
                }

                @Override
                public LowLevelHttpResponse execute() throws java.io.IOException {
                    if (getStreamingContent() != null) {
                        getStreamingContent().writeTo(OutputStream.nullOutputStream());
                    }
                    return new Accepted();
                }
            };
        }
    }

    private static final class Accepted extends LowLevelHttpResponse {
        @Override
        public InputStream getContent() {
            return new ByteArrayInputStream(ACCEPTED);
        }

        @Override
        public String getContentEncoding() {
            return null;
        }

        @Override
        public long getContentLength() {
            return ACCEPTED.length;
        }

        @Override
        public String getContentType() {
            return "application/json; charset=UTF-8";
        }

        @Override
        public String getStatusLine() {
            return "HTTP/2 200 OK";
        }

        @Override
        public int getStatusCode() {
            return 200;
        }

        @Override
        public String getReasonPhrase() {
            return "OK";
        }

        @Override
        public int getHeaderCount() {
            return 0;
        }

        @Override
        public String getHeaderName(int index) {
            return null;
        }

        @Override
        public String getHeaderValue(int index) {
            return null;
        }
    }
}
