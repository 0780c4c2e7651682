package org.parsepush.gateway.app;

import com.mongodb.client.MongoDatabase;
import org.parsepush.gateway.audience.Audience;
import org.parsepush.gateway.config.AppConfig;
import org.parsepush.gateway.config.JobSettings;
import java.time.Duration;
import org.parsepush.gateway.delivery.Router;
import org.parsepush.gateway.job.JobStore;
import org.parsepush.gateway.report.OutcomeLog;
import org.parsepush.gateway.report.PushStatusStore;
import org.parsepush.gateway.store.GroupCommit;

/**
 * One Parse app at run time: its configuration, its database and what reads and writes
 * it, and its providers behind a {@link Router}.
 */
public final class ParseApp implements AutoCloseable {

    private final AppConfig config;
    private final MongoDatabase database;
    private final Audience audience;
    private final PushStatusStore statuses;
    private final JobStore jobs;
    private final OutcomeLog outcomes;
    private final Router router;
    private final AutoCloseable providers;
    private final GroupCommit commit;

    public ParseApp(AppConfig config, MongoDatabase database, Audience audience, Router router,
                    AutoCloseable providers, Duration outcomeRetention, JobSettings jobSettings) {
        this.config = config;
        this.database = database;
        this.audience = audience;
        this.commit = new GroupCommit("db-writes-" + config.appId());
        this.statuses = new PushStatusStore(database, commit);
        this.jobs = new JobStore(database, commit, jobSettings.idempotencyKeyRetention(),
                jobSettings.finishedJobRetention());
        this.outcomes = new OutcomeLog(database, outcomeRetention, commit);
        this.router = router;
        this.providers = providers;
    }

    public String appId() {
        return config.appId();
    }

    public AppConfig config() {
        return config;
    }

    public MongoDatabase database() {
        return database;
    }

    public Audience audience() {
        return audience;
    }

    public PushStatusStore statuses() {
        return statuses;
    }

    /** The app's durable push jobs. */
    public JobStore jobs() {
        return jobs;
    }

    /** The app's per-device outcome log. */
    public OutcomeLog outcomes() {
        return outcomes;
    }

    /** The app's database writer: writes of many pushes go together, and so may writes of one push. */
    public GroupCommit writes() {
        return commit;
    }

    public Router router() {
        return router;
    }

    @Override
    public void close() {
        commit.close();
        try {
            providers.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the providers of app '" + appId() + "'", e);
        }
    }
}
