package org.parsepush.gateway.api;

import com.mongodb.MongoException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.app.ParseApps;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.audience.InvalidQueryException;
import org.parsepush.gateway.delivery.AudienceEstimate;
import org.parsepush.gateway.delivery.Outcome;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.job.OverloadedException;
import org.parsepush.gateway.job.PushEngine;
import org.parsepush.gateway.report.PushStatusStore.ListPosition;
import org.parsepush.gateway.store.ParseNames;
import io.grpc.stub.ServerCallStreamObserver;
import org.parsepush.proto.v1.CancelPushRequest;
import org.parsepush.proto.v1.CancelPushResponse;
import org.parsepush.proto.v1.DeliverBatchRequest;
import org.parsepush.proto.v1.DeliverBatchResponse;
import org.parsepush.proto.v1.EstimateAudienceRequest;
import org.parsepush.proto.v1.EstimateAudienceResponse;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.WatchPushEvent;
import org.parsepush.proto.v1.WatchPushRequest;
import org.parsepush.proto.v1.ListPushesRequest;
import org.parsepush.proto.v1.ListPushesResponse;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.SendPushResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC face of the gateway: translates {@code push.v1} messages to domain calls and
 * domain results back to messages, and domain errors to gRPC statuses; nothing more. Calls
 * reach it already authenticated ({@link AppAuthenticator#CURRENT_APP}).
 */
public final class PushApi extends PushServiceGrpc.PushServiceImplBase {

    private static final Logger log = LoggerFactory.getLogger(PushApi.class);
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final String PAGE_TOKEN_SEPARATOR = ":";
    private static final int MAX_PAGE_SIZE = 500;
    private static final Metadata.Key<String> RETRY_PUSHBACK =
            Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    private final ParseApps apps;
    private final PushEngine engine;
    private final PushWatches watches;

    public PushApi(ParseApps apps, PushEngine engine, PushWatches watches) {
        this.apps = apps;
        this.engine = engine;
        this.watches = watches;
    }

    @Override
    public void sendPush(SendPushRequest request, StreamObserver<SendPushResponse> response) {
        answer(response, () -> {
            PushEngine.Accepted accepted = engine.accept(app(), PushRequests.fromProto(request));
            return SendPushResponse.newBuilder().setPushId(accepted.pushId()).setDeduplicated(accepted.deduplicated())
                    .setState(PushState.valueOf("PUSH_STATE_" + accepted.state().name())).build();
        });
    }

    @Override
    public void estimateAudience(EstimateAudienceRequest request, StreamObserver<EstimateAudienceResponse> response) {
        answer(response, () -> {
            AudienceEstimate estimate = engine.estimate(app(), PushRequests.target(request));
            return EstimateAudienceResponse.newBuilder().setTotal(estimate.total())
                    .putAllPerDeviceType(estimate.perDeviceType()).putAllPerProvider(estimate.perProvider())
                    .putAllUndeliverablePerReason(estimate.undeliverablePerReason()).build();
        });
    }

    @Override
    public void getPushStatus(GetPushStatusRequest request, StreamObserver<PushStatus> response) {
        answer(response, () -> {
            ParseApp app = app();
            Document status = app.statuses().find(request.getPushId()).orElseThrow(() -> notFound(app, request.getPushId()));
            return PushStatusMessages.fromDocument(app.appId(), status);
        });
    }

    @Override
    public void cancelPush(CancelPushRequest request, StreamObserver<CancelPushResponse> response) {
        answer(response, () -> {
            ParseApp app = app();
            engine.cancel(app, request.getPushId());
            Document status = app.statuses().find(request.getPushId()).orElseThrow(() -> notFound(app, request.getPushId()));
            return CancelPushResponse.newBuilder().setStatus(PushStatusMessages.fromDocument(app.appId(), status)).build();
        });
    }

    @Override
    public void watchPush(WatchPushRequest request, StreamObserver<WatchPushEvent> response) {
        ParseApp app = app();
        if (app.statuses().find(request.getPushId()).isEmpty()) {
            response.onError(notFound(app, request.getPushId()));
            return;
        }
        watches.watch(app, request, (ServerCallStreamObserver<WatchPushEvent>) response);
    }

    @Override
    public void deliverBatch(DeliverBatchRequest request, StreamObserver<DeliverBatchResponse> response) {
        answer(response, () -> {
            if (request.getDevicesCount() > PushRequests.MAX_EXPLICIT_TARGETS) {
                throw new IllegalArgumentException("devices lists " + request.getDevicesCount() + " entries; at most "
                        + PushRequests.MAX_EXPLICIT_TARGETS + " per call");
            }
            List<Installation> devices = new ArrayList<>(request.getDevicesCount());
            for (int i = 0; i < request.getDevicesCount(); i++) {
                devices.add(PushRequests.installation(request.getDevices(i), "devices[" + i + "]"));
            }
            Instant expiration = request.hasExpirationTime() ? PushRequests.instant(request.getExpirationTime())
                    : request.hasExpirationInterval() ? Instant.now().plusSeconds(request.getExpirationInterval().getSeconds())
                    : null;
            String pushId = request.getParsePushStatusId().isBlank() ? "direct" : request.getParsePushStatusId();
            List<Outcome> outcomes;
            try {
                ParseApp app = app();
                if (!request.getParsePushStatusId().isBlank()) {
                    engine.reachPpnsDevicesOf(app, pushId, request.getDataJson(), expiration);
                }
                outcomes = engine.deliverNow(app, pushId, ParseData.parse(request.getDataJson()), expiration, devices);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
            }
            DeliverBatchResponse.Builder answer = DeliverBatchResponse.newBuilder();
            outcomes.forEach(outcome -> answer.addOutcomes(DeviceOutcomes.fromOutcome(outcome)));
            return answer.build();
        });
    }

    private static StatusRuntimeException notFound(ParseApp app, String pushId) {
        return Status.NOT_FOUND.withDescription("no push '" + pushId + "' in app '" + app.appId() + "'")
                .asRuntimeException();
    }

    @Override
    public void listPushes(ListPushesRequest request, StreamObserver<ListPushesResponse> response) {
        answer(response, () -> {
            ParseApp app = app();
            int size = request.getPageSize() <= 0 ? DEFAULT_PAGE_SIZE : Math.min(request.getPageSize(), MAX_PAGE_SIZE);
            ListPosition after = request.getPageToken().isEmpty() ? null : pageToken(request.getPageToken());
            ListPushesResponse.Builder page = ListPushesResponse.newBuilder();
            List<Document> docs = app.statuses().list(after, size);
            for (Document doc : docs) {
                PushStatus status = PushStatusMessages.fromDocument(app.appId(), doc);
                if (request.getStatesList().isEmpty() || request.getStatesList().contains(status.getState())) {
                    page.addPushes(status);
                }
            }
            Document last = docs.isEmpty() ? null : docs.get(docs.size() - 1);
            if (docs.size() == size && last.get(ParseNames.CREATED_AT) instanceof Date created) {
                page.setNextPageToken(created.getTime() + PAGE_TOKEN_SEPARATOR + last.get(ParseNames.ID));
            }
            return page.build();
        });
    }

    /** A token of {@link #listPushes}: the last listed push's creation time in milliseconds, and its id. */
    private static ListPosition pageToken(String token) {
        int separator = token.indexOf(PAGE_TOKEN_SEPARATOR);
        try {
            if (separator > 0 && separator < token.length() - 1) {
                return new ListPosition(new Date(Long.parseLong(token.substring(0, separator))),
                        token.substring(separator + 1));
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("page_token is not one this server gave out: pass next_page_token "
                + "from the previous page unchanged, or leave it empty for the first page");
    }

    private ParseApp app() {
        return apps.get(AppAuthenticator.CURRENT_APP.get().appId());
    }

    /**
     * RESOURCE_EXHAUSTED with the wait in {@code grpc-retry-pushback-ms}, the trailer gRPC's
     * own retry policy reads, so clients with retries configured back off by themselves.
     */
    private static StatusRuntimeException overloaded(OverloadedException e) {
        Metadata trailers = new Metadata();
        trailers.put(RETRY_PUSHBACK, Long.toString(e.retryAfter().toMillis()));
        return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException(trailers);
    }

    /** Runs a unary call, turning domain errors into statuses a caller can act on. */
    private static <T> void answer(StreamObserver<T> response, Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        } catch (InvalidQueryException | IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (OverloadedException e) {
            response.onError(overloaded(e));
            return;
        } catch (UnsupportedOperationException e) {
            response.onError(Status.UNIMPLEMENTED.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (MongoException e) {
            log.warn("database unavailable during a call: {}", e.toString());
            response.onError(Status.UNAVAILABLE.withDescription("the database is unavailable; nothing was"
                    + " accepted, retry later").asRuntimeException());
            return;
        } catch (RuntimeException e) {
            log.error("unexpected error in a call", e);
            response.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
            return;
        }
        response.onNext(result);
        response.onCompleted();
    }
}
