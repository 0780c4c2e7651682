package org.parsepush.gateway.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;

/**
 * The jobs this replica runs or holds waiting for a slot. A held job's lease may look expired
 * to this replica's own claim (a clock jump, a long wait); the claim must not start it twice.
 */
final class RunningHere {

    private final Set<String> keys = ConcurrentHashMap.newKeySet();

    /** False when the job is already here. */
    boolean add(ParseApp app, Document job) {
        return keys.add(key(app, job));
    }

    void remove(ParseApp app, Document job) {
        keys.remove(key(app, job));
    }

    private static String key(ParseApp app, Document job) {
        return app.appId() + "/" + job.getString(JobStore.ID);
    }
}
