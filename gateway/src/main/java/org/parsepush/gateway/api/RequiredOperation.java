package org.parsepush.gateway.api;

import java.util.Map;
import java.util.Optional;
import org.parsepush.proto.v1.EstimateAudienceRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * The operation each call of {@code push.v1.PushService} needs. Sending (and estimating)
 * depends on the target: channels, named installations or tokens, or a query. A method
 * not listed here needs the master key, so a new RPC is closed until it is given a rule.
 */
final class RequiredOperation {

    private static final Map<String, Operation> BY_METHOD = Map.of(
            PushServiceGrpc.getGetPushStatusMethod().getFullMethodName(), Operation.READ,
            PushServiceGrpc.getListPushesMethod().getFullMethodName(), Operation.READ,
            PushServiceGrpc.getWatchPushMethod().getFullMethodName(), Operation.READ,
            PushServiceGrpc.getCancelPushMethod().getFullMethodName(), Operation.CANCEL,
            PushServiceGrpc.getDeliverBatchMethod().getFullMethodName(), Operation.DELIVER_BATCH);

    private RequiredOperation() {
    }

    /** The operation {@code message} sent to {@code fullMethodName} needs; empty: the master key only. */
    static Optional<Operation> of(String fullMethodName, Object message) {
        if (message instanceof SendPushRequest send) {
            return Optional.of(forTarget(send.getTarget()));
        }
        if (message instanceof EstimateAudienceRequest estimate) {
            // Counting an audience reveals as much as sending to it would reach.
            return Optional.of(forTarget(estimate.getTarget()));
        }
        return Optional.ofNullable(BY_METHOD.get(fullMethodName));
    }

    private static Operation forTarget(Target target) {
        return switch (target.getSelectorCase()) {
            case WHERE_JSON, AUDIENCE_ID -> Operation.SEND_WHERE;
            case INSTALLATION_IDS, DEVICES -> Operation.SEND;
            // No target at all is refused as INVALID_ARGUMENT by the API; let the narrowest right see that answer.
            case CHANNELS, SELECTOR_NOT_SET -> Operation.SEND_CHANNELS;
        };
    }

    /** The RPC's short name for messages: {@code SendPush}. */
    static String shortName(String fullMethodName) {
        return fullMethodName.substring(fullMethodName.lastIndexOf('/') + 1);
    }
}
