package org.parsepush.loadtest;

import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import java.time.Duration;
import java.time.Instant;
import org.bson.Document;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * One push by channel to N installations stored as Parse stores them, delivered to fast
 * local providers; devices per second from acceptance to the last provider answer.
 */
final class FanoutScenario {

    private FanoutScenario() {
    }

    static void run(Options options) throws Exception {
        double[] shares = options.shares();
        try (Bench bench = Bench.start(options, "delivery: {batchSize: 500, cursorBatchSize: 2000}")) {
            long seedStart = System.nanoTime();
            bench.seed(options.devices(), shares[0], shares[1], "F");
            double seedSeconds = seconds(System.nanoTime() - seedStart);
            double cursorRate = options.devices() / streamAudienceAlone(bench);
            double warmUpRate = warmUp(bench, options.warmUp(), options.warmUpPushes(), shares);

            CpuWindow cpu = CpuWindow.open(bench.gateway);
            long gcMark = bench.gateway.gcLogMark();
            Instant sentAt = Instant.now();
            long start = System.nanoTime();
            String pushId = pushTo(bench, "all");
            double acceptMillis = (System.nanoTime() - start) / 1e6;
            PushStatus status = bench.awaitFinished(pushId, Duration.ofMinutes(60));
            double elapsed = Bench.secondsUntilFinished(sentAt, status);
            cpu.close();

            long devices = status.getNumSent() + status.getNumFailed() + status.getNumQueued() + status.getNumSkipped();
            Report report = new Report("fanout")
                    .put("installations", options.devices(), "")
                    .note("mix iOS/Android/embedded %", options.mix())
                    .put("seconds to seed the database", seedSeconds, "s")
                    .put(Bench.DATABASE_DELAY, options.dbDelayMillis(), "ms")
                    .put("warm-up devices (unmeasured)", options.warmUp(), "")
                    .put("warm-up pushes to them", options.warmUpPushes(), "")
                    .put("warm-up devices per second, last push", warmUpRate, "/s")
                    .put("accept latency", acceptMillis, "ms")
                    .put("seconds from accept to last answer", elapsed, "s")
                    .put("devices per second", devices / elapsed, "/s")
                    .put("apns sent", count(status, "apns", "sent"), "")
                    .put("apns per second", count(status, "apns", "sent") / elapsed, "/s")
                    .put("fcm sent", count(status, "fcm", "sent"), "")
                    .put("fcm per second", count(status, "fcm", "sent") / elapsed, "/s")
                    .put("ppns queued (offline devices)", count(status, "ppns", "queued"), "")
                    .put("failed", status.getNumFailed(), "")
                    .note("failed by reason", status.getFailedPerReasonMap().toString())
                    .note("error message", status.getErrorMessage())
                    .note("a failure's detail", firstFailure(bench, pushId))
                    .put("gateway cpu per device", 1e6 * cpu.gatewaySeconds() / Math.max(1, devices), "µs")
                    .put("audience alone: one cursor, per second", cursorRate, "/s")
                    .note("outcome log", options.outcomes());
            cpu.addTo(report, elapsed).note("gateway heap cap", options.heap());
            bench.gateway.reportHeapAndPausesSince(gcMark, report);
            report.write(options.report());
        }
    }

    private static String pushTo(Bench bench, String channel) {
        return bench.api.sendPush(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setChannels(Channels.newBuilder().addNames(channel)))
                .setDataJson("{\"alert\":\"Fan-out benchmark\",\"badge\":1,\"campaign\":\"bench\"}").build()).getPushId();
    }

    /**
     * Unmeasured pushes of the same mix to other installations, removed afterwards so that the
     * measured audience and collection are as without them; the last push's rate (0 when there
     * is none).
     */
    static double warmUp(Bench bench, int devices, int pushes, double[] shares) throws InterruptedException {
        if (devices == 0) {
            return 0;
        }
        bench.seed(devices, shares[0], shares[1], "W", "warm-up");
        double rate = 0;
        for (int push = 0; push < pushes; push++) {
            long start = System.nanoTime();
            bench.awaitFinished(pushTo(bench, "warm-up"), Duration.ofMinutes(60));
            rate = devices / seconds(System.nanoTime() - start);
        }
        bench.database().getCollection("_Installation").deleteMany(Filters.eq("channels", "warm-up"));
        return rate;
    }

    /** The audience step alone: one sorted cursor over the same query, from this process. */
    private static double streamAudienceAlone(Bench bench) {
        long start = System.nanoTime();
        long count = 0;
        try (MongoCursor<Document> cursor = bench.database().getCollection("_Installation")
                .find(Filters.in("channels", "all")).projection(Projections.include("_id", "deviceType", "deviceToken",
                        "pushType", "appIdentifier", "GCMSenderId", "timeZone", "badge", "installationId"))
                .sort(Sorts.ascending("_id")).batchSize(2000).cursor()) {
            while (cursor.hasNext()) {
                cursor.next();
                count++;
            }
        }
        return count == 0 ? 1 : seconds(System.nanoTime() - start);
    }

    /** One failed device's detail from the gateway's outcome log, to tell why without digging. */
    private static String firstFailure(Bench bench, String pushId) {
        Document failed = bench.database().getCollection("push_gateway_outcomes")
                .find(Filters.and(Filters.eq("pushId", pushId), Filters.eq("kind", "FAILED"))).first();
        return failed == null ? "none" : failed.getString("reason") + ": " + failed.getString("detail");
    }

    private static long count(PushStatus status, String provider, String what) {
        var counts = status.getPerProviderMap().get(provider);
        if (counts == null) {
            return 0;
        }
        return switch (what) {
            case "sent" -> counts.getSent();
            case "queued" -> counts.getQueued();
            default -> counts.getFailed();
        };
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
