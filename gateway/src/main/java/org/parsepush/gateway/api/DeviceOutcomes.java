package org.parsepush.gateway.api;

import java.util.Date;
import java.util.Locale;
import org.bson.Document;
import org.parsepush.gateway.delivery.Outcome;
import org.parsepush.gateway.report.OutcomeLog;
import org.parsepush.proto.v1.DeviceOutcome;
import org.parsepush.proto.v1.OutcomeKind;
import org.parsepush.proto.v1.Provider;
import org.parsepush.proto.v1.Reason;

/** Device outcomes as {@code push.v1.DeviceOutcome}, from the domain or from the outcome log. */
final class DeviceOutcomes {

    private DeviceOutcomes() {
    }

    /** An outcome just decided (DeliverBatch). */
    static DeviceOutcome fromOutcome(Outcome outcome) {
        return build(outcome.device().objectId(), outcome.device().deviceType(), outcome.provider(),
                outcome.kind().name(), outcome.reason() == null ? null : outcome.reason().name(), outcome.detail(),
                outcome.tokenDead()).build();
    }

    /** An outcome read back from the log (WatchPush). */
    static DeviceOutcome fromLog(Document doc) {
        DeviceOutcome.Builder outcome = build(doc.getString(OutcomeLog.INSTALLATION_ID),
                doc.getString(OutcomeLog.DEVICE_TYPE), doc.getString(OutcomeLog.PROVIDER), doc.getString(OutcomeLog.KIND),
                doc.getString(OutcomeLog.REASON), doc.getString(OutcomeLog.DETAIL),
                doc.getBoolean(OutcomeLog.TOKEN_DEAD, false))
                .setSequence(((Number) doc.get(OutcomeLog.SEQUENCE)).longValue());
        if (doc.get(OutcomeLog.TIME) instanceof Date time) {
            outcome.setTime(PushStatusMessages.toTimestamp(time));
        }
        return outcome.build();
    }

    private static DeviceOutcome.Builder build(String installationId, String deviceType, String provider, String kind,
                                               String reason, String detail, boolean tokenDead) {
        DeviceOutcome.Builder outcome = DeviceOutcome.newBuilder()
                .setKind(OutcomeKind.valueOf("OUTCOME_KIND_" + kind))
                .setTokenRemoved(tokenDead);
        if (installationId != null) {
            outcome.setInstallationId(installationId);
        }
        if (deviceType != null) {
            outcome.setDeviceType(deviceType);
        }
        if (provider != null) {
            outcome.setProvider(Provider.valueOf("PROVIDER_" + provider.toUpperCase(Locale.ROOT)));
        }
        if (reason != null) {
            outcome.setReason(Reason.valueOf("REASON_" + reason));
        }
        if (detail != null) {
            outcome.setDetail(detail);
        }
        return outcome;
    }
}
