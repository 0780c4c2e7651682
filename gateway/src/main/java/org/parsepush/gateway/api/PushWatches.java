package org.parsepush.gateway.api;

import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.report.OutcomeLog;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.WatchPushEvent;
import org.parsepush.proto.v1.WatchPushRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves WatchPush streams by following the push's status and outcome log in the
 * database, so a watcher sees the same thing whichever replica runs the push, and can
 * start from any point of it, also after it finished. Respects the client's flow control.
 */
public final class PushWatches {

    private static final Logger log = LoggerFactory.getLogger(PushWatches.class);
    private static final int OUTCOMES_PER_READ = 500;

    private final ScheduledExecutorService scheduler;
    private final Duration poll;

    public PushWatches(ScheduledExecutorService scheduler, Duration poll) {
        this.scheduler = scheduler;
        this.poll = poll;
    }

    void watch(ParseApp app, WatchPushRequest request, ServerCallStreamObserver<WatchPushEvent> stream) {
        Watch watch = new Watch(app, request, stream);
        stream.setOnCancelHandler(() -> watch.cancelled = true);
        scheduler.execute(watch);
    }

    private final class Watch implements Runnable {
        private final ParseApp app;
        private final WatchPushRequest request;
        private final ServerCallStreamObserver<WatchPushEvent> stream;
        private volatile boolean cancelled;
        private long lastSequence;
        private PushStatus lastProgress;

        Watch(ParseApp app, WatchPushRequest request, ServerCallStreamObserver<WatchPushEvent> stream) {
            this.app = app;
            this.request = request;
            this.stream = stream;
            this.lastSequence = request.getAfterSequence();
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            try {
                if (tick()) {
                    stream.onCompleted();
                } else {
                    scheduler.schedule(this, poll.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (RuntimeException e) {
                log.warn("WatchPush {} stopped: {}", request.getPushId(), e.toString());
                stream.onError(io.grpc.Status.UNAVAILABLE.withDescription("the push's status cannot be read now;"
                        + " watch again with after_sequence " + lastSequence).asRuntimeException());
            }
        }

        /** Sends what is new; true when the push has finished and everything was sent. */
        private boolean tick() {
            Document statusDoc = app.statuses().find(request.getPushId()).orElseThrow();
            PushStatus status = PushStatusMessages.fromDocument(app.appId(), statusDoc);
            boolean finished = isFinished(status.getState());
            if (!status.equals(lastProgress) && stream.isReady()) {
                stream.onNext(WatchPushEvent.newBuilder().setProgress(status).build());
                lastProgress = status;
            }
            if (!request.getIncludeOutcomes()) {
                return finished;
            }
            while (stream.isReady() && !cancelled) {
                List<Document> outcomes = app.outcomes().read(request.getPushId(), lastSequence, OUTCOMES_PER_READ);
                for (Document outcome : outcomes) {
                    stream.onNext(WatchPushEvent.newBuilder().setOutcome(DeviceOutcomes.fromLog(outcome)).build());
                    lastSequence = ((Number) outcome.get(OutcomeLog.SEQUENCE)).longValue();
                }
                if (outcomes.size() < OUTCOMES_PER_READ) {
                    // The status is finished only after its last outcomes were logged.
                    return finished;
                }
            }
            return false;
        }
    }

    private static boolean isFinished(PushState state) {
        return state == PushState.PUSH_STATE_SUCCEEDED || state == PushState.PUSH_STATE_FAILED
                || state == PushState.PUSH_STATE_CANCELLED || state == PushState.PUSH_STATE_EXPIRED;
    }
}
