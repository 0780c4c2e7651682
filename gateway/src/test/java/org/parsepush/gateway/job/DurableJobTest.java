package org.parsepush.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.mongodb.client.MongoCollection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.MutableClock;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.proto.v1.CancelPushRequest;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.DeviceOutcome;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.PushTime;
import org.parsepush.proto.v1.Reason;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.SendPushResponse;
import org.parsepush.proto.v1.Target;
import org.parsepush.proto.v1.Throttle;
import org.parsepush.proto.v1.WatchPushEvent;
import org.parsepush.proto.v1.WatchPushRequest;

/**
 * Durable jobs through the API on a clock the test moves: scheduled and local-time pushes,
 * expiry, cancellation, idempotency, throttling and WatchPush.
 */
class DurableJobTest {

    static final String TOPIC = "com.example.jobs";
    static final Instant START = Instant.parse("2026-12-01T06:00:00Z");

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static MockApns apns;
    static TestGateway gateway;
    static MutableClock clock = new MutableClock(START);
    static final Set<String> tokens = new CopyOnWriteArraySet<>();
    static final Map<String, Instant> unregistered = new java.util.concurrent.ConcurrentHashMap<>();
    static int sequence;

    MongoCollection<Document> installations;

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        Path trusted = dir.resolve("trusted.pem");
        Path p12 = ApnsTestCertificates.p12(dir, TOPIC, "jobs-secret");
        ApnsTestCertificates.trust(p12, "jobs-secret", trusted);
        apns = MockApns.validating(Map.of(TOPIC, tokens), unregistered, trusted);
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                delivery: {initialBackoffMillis: 20, maxBackoffMillis: 200, statusFlushMillis: 50, batchSize: 5}
                jobs: {pollMillis: 50, parseScheduledPollMillis: 100}
                """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir));
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: jobs-secret}
                """.formatted(TOPIC, p12);
        Path data = dir.resolve("gateway");
        gateway = TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of(), clock);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        apns.close();
        mongo.close();
    }

    @BeforeEach
    void clean() {
        clock.set(START);
        installations = mongo.database("testdb").getCollection("_Installation");
        installations.deleteMany(new Document());
    }

    String ios(String id, String channel, String timeZone) {
        String token = String.format("%064x", 0xab0000L + ++sequence);
        tokens.add(token);
        Document doc = new Document("_id", id).append("deviceType", "ios").append("deviceToken", token)
                .append("channels", List.of(channel)).append("_updated_at", Date.from(START.minusSeconds(60)));
        if (timeZone != null) {
            doc.append("timeZone", timeZone);
        }
        installations.insertOne(doc);
        return token;
    }

    List<String> iosDevices(String channel, int count) {
        List<String> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            added.add(ios(channel + "-" + i, channel, null));
        }
        return added;
    }

    static SendPushRequest.Builder toChannel(String channel) {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                .setChannels(Channels.newBuilder().addNames(channel))).setDataJson("{\"alert\":\"" + channel + "\"}");
    }

    static Timestamp at(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
    }

    static PushServiceGrpc.PushServiceBlockingStub api() {
        return gateway.authenticated(PushServiceGrpc.newBlockingStub(gateway.channel()));
    }

    static SendPushResponse send(SendPushRequest.Builder request) {
        return send(request.build());
    }

    static SendPushResponse send(SendPushRequest request) {
        return api().sendPush(request);
    }

    static Set<String> deliveredSince(int before) {
        return apns.accepted().subList(before, apns.accepted().size()).stream().map(MockApns.Received::token)
                .collect(Collectors.toSet());
    }

    /** Gives the scheduler several polls to (wrongly) act. */
    static void letTheSchedulerPoll() throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(400);
    }

    @Test
    void aScheduledPushIsSentWhenDueAndNotBefore() throws Exception {
        List<String> devices = iosDevices("later", 3);
        int before = apns.accepted().size();
        SendPushResponse accepted = send(toChannel("later")
                .setPushTime(PushTime.newBuilder().setAt(at(START.plus(Duration.ofHours(2))))).build());
        assertEquals(PushState.PUSH_STATE_SCHEDULED, accepted.getState());
        assertEquals("scheduled", mongo.database("testdb").getCollection("_PushStatus")
                .find(new Document("_id", accepted.getPushId())).first().getString("status"));

        clock.advance(Duration.ofMinutes(119));
        letTheSchedulerPoll();
        assertEquals(Set.of(), deliveredSince(before), "sent before its push time");

        clock.advance(Duration.ofMinutes(1));
        PushStatus status = gateway.awaitFinished(accepted.getPushId(), Duration.ofSeconds(20));
        assertEquals(PushState.PUSH_STATE_SUCCEEDED, status.getState());
        assertEquals(Set.copyOf(devices), deliveredSince(before));
    }

    @Test
    void aLocalTimePushReachesEachTimeZoneAtItsOwnLocalTime() throws Exception {
        String paris = ios("lt-paris", "local", "Europe/Paris");
        String newYork = ios("lt-ny", "local", "America/New_York");
        ios("lt-none", "local", null);
        ios("lt-bad", "local", "Mars/Olympus_Mons");
        int before = apns.accepted().size();
        // 09:00 on each device: 08:00Z in Paris (UTC+1 in December), 14:00Z in New York (UTC-5).
        String pushId = send(toChannel("local")
                .setPushTime(PushTime.newBuilder().setLocal("2026-12-01T09:00:00"))).getPushId();

        clock.set(Instant.parse("2026-12-01T07:59:00Z"));
        letTheSchedulerPoll();
        assertEquals(Set.of(), deliveredSince(before), "nobody's 09:00 has come yet in Paris or New York");

        clock.set(Instant.parse("2026-12-01T08:00:00Z"));
        awaitDelivered(before, Set.of(paris));
        letTheSchedulerPoll();
        assertEquals(Set.of(paris), deliveredSince(before), "New York's 09:00 has not come yet");

        clock.set(Instant.parse("2026-12-01T14:00:00Z"));
        awaitDelivered(before, Set.of(paris, newYork));
        clock.set(Instant.parse("2026-12-02T12:00:00Z")); // every zone's 09:00 has passed
        PushStatus status = gateway.awaitFinished(pushId, Duration.ofSeconds(20));

        assertEquals(2, status.getNumSent());
        assertEquals(Map.of("no_time_zone", 2L), status.getSkippedPerReasonMap());
        assertEquals(Map.of("1", 1L, "-5", 1L), status.getSentPerUtcOffsetMap());
        assertEquals("2026-12-01T09:00:00.000", status.getPushTime(), "local push times are stored without a zone");
    }

    @Test
    void aPushThatParseServerOnlyRecordedAsScheduledIsSentWhenDueIntoTheSameStatus() throws Exception {
        List<String> devices = iosDevices("parse-scheduled", 3);
        int before = apns.accepted().size();
        // What Parse Server with scheduledPush: true writes, and then never sends.
        var statuses = mongo.database("testdb").getCollection("_PushStatus");
        statuses.insertOne(new Document("_id", "PaRsEsChEd").append("pushTime", "2026-12-01T07:00:00.000Z")
                .append("query", "{\"channels\":{\"$in\":[\"parse-scheduled\"]},\"deviceType\":{\"$in\":[\"ios\",\"android\"]}}")
                .append("payload", "{\"alert\":\"from Parse\"}").append("source", "rest").append("status", "scheduled")
                .append("numSent", 0).append("pushHash", "d41d8cd98f00b204e9800998ecf8427e")
                .append("_rperm", List.of()).append("_wperm", List.of()).append("_acl", new Document())
                .append("_created_at", Date.from(START)).append("_updated_at", Date.from(START)));

        letTheSchedulerPoll();
        letTheSchedulerPoll();
        letTheSchedulerPoll(); // adopted, but not due yet
        assertEquals(Set.of(), deliveredSince(before));
        clock.set(Instant.parse("2026-12-01T07:00:00Z"));
        PushStatus status = gateway.awaitFinished("PaRsEsChEd", Duration.ofSeconds(20));

        assertEquals(Set.copyOf(devices), deliveredSince(before));
        assertEquals(3, status.getNumSent());
        Document stored = statuses.find(new Document("_id", "PaRsEsChEd")).first();
        assertEquals("succeeded", stored.getString("status"));
        assertEquals(Map.of("ios", 3), stored.get("sentPerType", Document.class).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> ((Number) entry.getValue()).intValue())));
        assertEquals(1, statuses.countDocuments(new Document("pushHash", "d41d8cd98f00b204e9800998ecf8427e")),
                "the gateway must report into Parse's document, not a new one");
    }

    @Test
    void anExpiredPushStopsAndReportsWhatWasNotSent() throws Exception {
        iosDevices("expiring", 4);
        int before = apns.accepted().size();
        String pushId = send(toChannel("expiring")
                .setPushTime(PushTime.newBuilder().setAt(at(START.plus(Duration.ofMinutes(10)))))
                .setExpirationTime(at(START.plus(Duration.ofMinutes(20))))).getPushId();

        clock.set(START.plus(Duration.ofMinutes(30))); // the gateway was away past the expiry
        PushStatus status = gateway.awaitFinished(pushId, Duration.ofSeconds(20));

        assertEquals(PushState.PUSH_STATE_EXPIRED, status.getState());
        assertEquals(Map.of("expired", 4L), status.getFailedPerReasonMap());
        assertEquals(Set.of(), deliveredSince(before));
    }

    @Test
    void cancelStopsAScheduledPushAndARunningOne() throws Exception {
        iosDevices("cancel-later", 2);
        List<String> running = iosDevices("cancel-now", 40);
        int before = apns.accepted().size();

        String scheduled = send(toChannel("cancel-later")
                .setPushTime(PushTime.newBuilder().setAt(at(START.plus(Duration.ofHours(1)))))).getPushId();
        assertEquals(PushState.PUSH_STATE_CANCELLED, api().cancelPush(CancelPushRequest.newBuilder()
                .setPushId(scheduled).build()).getStatus().getState());

        String slow = send(toChannel("cancel-now")
                .setThrottle(Throttle.newBuilder().setDevicesPerSecond(20))).getPushId();
        awaitAtLeast(before, 5);
        api().cancelPush(CancelPushRequest.newBuilder().setPushId(slow).build());
        PushStatus status = gateway.awaitFinished(slow, Duration.ofSeconds(20));
        letTheSchedulerPoll();

        clock.advance(Duration.ofHours(2));
        letTheSchedulerPoll();
        Set<String> delivered = deliveredSince(before);
        assertEquals(PushState.PUSH_STATE_CANCELLED, status.getState());
        assertTrue(delivered.size() < running.size(), "the cancelled push went on to the end");
        assertTrue(running.containsAll(delivered), "the cancelled scheduled push was sent");
        PushStatus finalStatus = gateway.awaitFinished(slow, Duration.ofSeconds(5));
        assertEquals(delivered.size(), finalStatus.getNumSent(), "the status says what was sent before it stopped");
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstPushAndSendsNothingNew() throws Exception {
        List<String> devices = iosDevices("once", 3);
        int before = apns.accepted().size();
        SendPushRequest request = toChannel("once").setIdempotencyKey("order-1234-shipped").build();
        SendPushResponse first = send(request);
        gateway.awaitFinished(first.getPushId(), Duration.ofSeconds(20));
        SendPushResponse second = send(request);
        letTheSchedulerPoll();

        assertEquals(first.getPushId(), second.getPushId());
        assertFalse(first.getDeduplicated());
        assertTrue(second.getDeduplicated());
        assertEquals(devices.size(), apns.accepted().size() - before, "a device received the push twice");
    }

    @Test
    void aThrottledPushIsSpreadAtTheAskedRate() throws Exception {
        iosDevices("paced", 21);
        int before = apns.accepted().size();
        String pushId = send(toChannel("paced").setThrottle(Throttle.newBuilder().setDevicesPerSecond(10)))
                .getPushId();
        gateway.awaitFinished(pushId, Duration.ofSeconds(30));
        List<Instant> times = apns.accepted().subList(before, apns.accepted().size()).stream()
                .map(MockApns.Received::at).sorted().toList();
        assertEquals(21, times.size());
        long spreadMillis = Duration.between(times.get(0), times.get(times.size() - 1)).toMillis();
        // 21 devices at 10/s: 2 s between the first and the last; allow for batching and scheduling.
        assertTrue(spreadMillis >= 1500, "too fast: " + spreadMillis + " ms");
        assertTrue(spreadMillis <= 4000, "too slow: " + spreadMillis + " ms");
    }

    @Test
    void watchPushOnAFinishedPushStreamsEveryOutcomeFromAnyPoint() throws Exception {
        List<String> devices = iosDevices("watched", 23);
        unregistered.put(devices.get(3), Instant.now());
        unregistered.put(devices.get(17), Instant.now());
        String pushId = send(toChannel("watched")).getPushId();
        gateway.awaitFinished(pushId, Duration.ofSeconds(20));

        List<WatchPushEvent> all = watch(WatchPushRequest.newBuilder().setPushId(pushId).setIncludeOutcomes(true).build());
        List<DeviceOutcome> outcomes = all.stream().filter(WatchPushEvent::hasOutcome).map(WatchPushEvent::getOutcome).toList();
        assertEquals(23, outcomes.size());
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 23).boxed().toList(),
                outcomes.stream().map(DeviceOutcome::getSequence).toList());
        assertEquals(Set.of("watched-3", "watched-17"), outcomes.stream()
                .filter(outcome -> outcome.getReason() == Reason.REASON_UNREGISTERED)
                .map(DeviceOutcome::getInstallationId).collect(Collectors.toSet()));
        assertTrue(outcomes.stream().filter(o -> o.getReason() == Reason.REASON_UNREGISTERED).allMatch(DeviceOutcome::getTokenRemoved));
        assertTrue(all.stream().anyMatch(event -> event.hasProgress()
                && event.getProgress().getState() == PushState.PUSH_STATE_SUCCEEDED));

        List<WatchPushEvent> tail = watch(WatchPushRequest.newBuilder().setPushId(pushId).setIncludeOutcomes(true)
                .setAfterSequence(20).build());
        assertEquals(List.of(21L, 22L, 23L), tail.stream().filter(WatchPushEvent::hasOutcome)
                .map(event -> event.getOutcome().getSequence()).toList());
    }

    @Test
    void watchingAnUnknownPushIsNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> watch(
                WatchPushRequest.newBuilder().setPushId("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    static List<WatchPushEvent> watch(WatchPushRequest request) throws Exception {
        CompletableFuture<List<WatchPushEvent>> done = new CompletableFuture<>();
        List<WatchPushEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        gateway.authenticated(PushServiceGrpc.newStub(gateway.channel())).watchPush(request, new StreamObserver<>() {
            @Override
            public void onNext(WatchPushEvent event) {
                events.add(event);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(events);
            }
        });
        try {
            return done.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    static void awaitDelivered(int before, Set<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!deliveredSince(before).equals(expected) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertEquals(expected, deliveredSince(before));
    }

    static void awaitAtLeast(int before, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (apns.accepted().size() - before < count && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertTrue(apns.accepted().size() - before >= count, "the push did not start");
    }
}
