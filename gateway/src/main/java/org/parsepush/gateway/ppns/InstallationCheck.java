package org.parsepush.gateway.ppns;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Projections;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.bson.Document;
import org.parsepush.gateway.report.PushStatusStore;
import org.parsepush.gateway.store.ParseCollectionIndex;
import org.parsepush.gateway.store.ParseNames;
import org.parsepush.ppns.Admission;
import org.parsepush.ppns.Handshake;
import org.parsepush.ppns.Rejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits one app's devices whose installation exists (or registers unknown ones, when so
 * configured). Handshakes are checked in batches with one {@code $in} query each: after a
 * restart thousands of devices arrive at once, and one query per device made the database
 * the bound on how fast they got back online.
 */
final class InstallationCheck {

    private static final Logger log = LoggerFactory.getLogger(InstallationCheck.class);
    private static final int MAX_BATCH = 500;
    /** The gateway's index on Parse's {@code _Installation}, named so operators can tell whose it is. */
    static final String INSTALLATION_ID_INDEX = "push_gateway_installation_id";

    private record Pending(Handshake handshake, CompletableFuture<Admission> answer) {
    }

    private final MongoCollection<Document> installations;
    private final boolean autoRegister;
    private final Clock clock;
    private final Batcher<Pending> batcher;

    InstallationCheck(MongoDatabase database, boolean autoRegister, Clock clock, Executor executor) {
        this.installations = database.getCollection(ParseNames.INSTALLATION);
        this.autoRegister = autoRegister;
        this.clock = clock;
        this.batcher = new Batcher<>(MAX_BATCH, executor, this::decide);
    }

    /**
     * The index handshakes are looked up through: Parse Server makes none on
     * {@code installationId}, and without one every batch of handshakes reads the whole
     * collection, after a restart hundreds of times over. Operators often have one already.
     */
    ParseCollectionIndex installationIdIndex() {
        return new ParseCollectionIndex(installations, ParseNames.INSTALLATION_ID,
                new IndexOptions().name(INSTALLATION_ID_INDEX));
    }

    /** Completes with the device's admission once its batch has been looked up. */
    CompletableFuture<Admission> admit(Handshake handshake) {
        CompletableFuture<Admission> answer = new CompletableFuture<>();
        batcher.add(new Pending(handshake, answer));
        return answer;
    }

    private void decide(List<Pending> batch) {
        Set<String> known;
        try {
            known = known(batch);
        } catch (RuntimeException e) {
            log.warn("cannot admit {} PPNS devices now: {}", batch.size(), e.toString());
            batch.forEach(pending -> pending.answer().complete(Admission.reject(Rejection.UNAVAILABLE)));
            return;
        }
        for (Pending pending : batch) {
            pending.answer().complete(known.contains(pending.handshake().installationId()) ? Admission.accept()
                    : Admission.reject(Rejection.UNKNOWN_INSTALLATION));
        }
    }

    /** The batch's installation ids that exist now, including any registered here. */
    private Set<String> known(List<Pending> batch) {
        Set<String> ids = new LinkedHashSet<>();
        batch.forEach(pending -> ids.add(pending.handshake().installationId()));
        Set<String> known = new HashSet<>();
        installations.find(Filters.in(ParseNames.INSTALLATION_ID, ids))
                .projection(Projections.include(ParseNames.INSTALLATION_ID))
                .forEach(installation -> known.add(installation.getString(ParseNames.INSTALLATION_ID)));
        if (autoRegister) {
            register(batch, ids, known);
        }
        return known;
    }

    private void register(List<Pending> batch, Set<String> ids, Set<String> known) {
        List<Document> created = new ArrayList<>();
        Date now = Date.from(clock.instant());
        for (Pending pending : batch) {
            Handshake handshake = pending.handshake();
            // The set makes a device that connected twice in one batch register once.
            if (!known.contains(handshake.installationId()) && ids.remove(handshake.installationId())) {
                created.add(new Document(ParseNames.ID, PushStatusStore.newObjectId())
                        .append(ParseNames.INSTALLATION_ID, handshake.installationId())
                        .append(ParseNames.DEVICE_TYPE, "embedded").append(ParseNames.CHANNELS, List.of(""))
                        .append("parseVersion", handshake.sdkVersion())
                        .append(ParseNames.CREATED_AT, now).append(ParseNames.UPDATED_AT, now));
            }
        }
        if (!created.isEmpty()) {
            installations.insertMany(created);
            List<String> registered = created.stream()
                    .map(installation -> installation.getString(ParseNames.INSTALLATION_ID)).toList();
            known.addAll(registered);
            // Named one by one for the developer trying a device; counted in a storm.
            log.info("registered PPNS installations on their first connection: {}",
                    registered.size() <= 10 ? registered : registered.size() + " devices");
        }
    }
}
