package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole configuration of a gateway, as loaded by {@link ConfigLoader}: listeners,
 * database and the Parse apps it serves. Every field has a default that is documented in
 * the README; the YAML keys are the field names.
 */
public final class GatewayConfig {

    private String dataDir = "./data";
    private GrpcSettings grpc = new GrpcSettings();
    private Listener admin = new Listener(8081);
    private int shutdownGraceSeconds = 20;
    private int maxRequestBytes = 4 * 1024 * 1024;
    private int credentialReloadSeconds = 5;
    private int credentialExpiryWarningDays = 30;
    private MongoSettings mongo = new MongoSettings();
    private DeliverySettings delivery = new DeliverySettings();
    private ApnsSettings apns = new ApnsSettings();
    private FcmSettings fcm = new FcmSettings();
    private OutcomeSettings outcomes = new OutcomeSettings();
    private JobSettings jobs = new JobSettings();
    private RestSettings rest = new RestSettings();
    private PpnsConfig ppns = new PpnsConfig();
    private List<AppConfig> apps = new ArrayList<>();

    /** Directory for the embedded database and other local state. */
    public Path dataDir() {
        return Path.of(dataDir);
    }

    /** The gRPC API listener and its TLS. */
    public GrpcSettings grpc() {
        return grpc;
    }

    /** The HTTP admin listener: /metrics, /healthz, /readyz. */
    public Listener admin() {
        return admin;
    }

    /** How long in-flight calls may take to finish after SIGTERM. */
    public int shutdownGraceSeconds() {
        return shutdownGraceSeconds;
    }

    /** The largest gRPC request accepted. */
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    /**
     * How often credential files (API keys, APNs, FCM, gRPC TLS) are checked for changes;
     * zero reads them only at start.
     */
    public Duration credentialReload() {
        return Duration.ofSeconds(credentialReloadSeconds);
    }

    /** A certificate with fewer days left than this is reported once with a WARN log. */
    public int credentialExpiryWarningDays() {
        return credentialExpiryWarningDays;
    }

    /** The database connection. */
    public MongoSettings mongo() {
        return mongo;
    }

    /** How pushes are fanned out. */
    public DeliverySettings delivery() {
        return delivery;
    }

    /** Gateway-wide APNs settings. */
    public ApnsSettings apns() {
        return apns;
    }

    /** Gateway-wide FCM settings. */
    public FcmSettings fcm() {
        return fcm;
    }

    /** The per-device outcome log. */
    public OutcomeSettings outcomes() {
        return outcomes;
    }

    /** Durable job execution: polling, leases. */
    public JobSettings jobs() {
        return jobs;
    }

    /** Parse's REST push API on the gateway. */
    public RestSettings rest() {
        return rest;
    }

    /** The PPNS endpoint for IoT devices. */
    public PpnsConfig ppns() {
        return ppns;
    }

    /** The Parse apps this gateway serves. */
    public List<AppConfig> apps() {
        return apps;
    }

    void useApps(List<AppConfig> apps) {
        this.apps = new ArrayList<>(apps);
    }

    void collectProblems(List<String> problems) {
        grpc.collectProblems(problems);
        admin.collectProblems("admin", problems);
        if (shutdownGraceSeconds < 0) {
            problems.add("shutdownGraceSeconds must be 0 or more, got " + shutdownGraceSeconds);
        }
        if (credentialReloadSeconds < 0) {
            problems.add("credentialReloadSeconds must be 0 (off) or more, got " + credentialReloadSeconds);
        }
        if (credentialExpiryWarningDays < 0) {
            problems.add("credentialExpiryWarningDays must be 0 or more, got " + credentialExpiryWarningDays);
        }
        if (maxRequestBytes < 1024) {
            problems.add("maxRequestBytes must be at least 1024, got " + maxRequestBytes);
        }
        mongo.collectProblems(problems);
        delivery.collectProblems(problems);
        apns.collectProblems(problems);
        fcm.collectProblems(problems);
        outcomes.collectProblems(problems);
        jobs.collectProblems(problems);
        rest.collectProblems(problems);
        ppns.collectProblems(problems);
        for (int i = 0; i < apps.size(); i++) {
            apps.get(i).collectProblems("apps[" + i + "]", problems);
        }
    }
}
