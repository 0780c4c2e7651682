package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * Looks for secrets everywhere the gateway writes text others can read: its logs, its
 * metrics (names and labels), and every document of the app's database (_PushStatus error
 * messages included).
 */
public final class SecretScan {

    private SecretScan() {
    }

    /** Fails naming the place when any of {@code secrets} appears in logs, metrics or the database. */
    public static void assertNoneLeaked(CapturedLogs logs, TestGateway gateway, MongoDatabase database,
                                        List<String> secrets) {
        assertTrue(logs.size() > 0, "nothing was logged, so the scan would prove nothing");
        String metrics = gateway.admin("/metrics").body();
        StringBuilder documents = new StringBuilder();
        for (String collection : database.listCollectionNames()) {
            for (Document doc : database.getCollection(collection).find()) {
                documents.append(doc.toJson()).append('\n');
            }
        }
        List<String> leaks = new ArrayList<>();
        for (String secret : secrets) {
            if (logs.text().contains(secret)) {
                leaks.add("logs");
            }
            if (metrics.contains(secret)) {
                leaks.add("metrics");
            }
            if (documents.indexOf(secret) >= 0) {
                leaks.add("database");
            }
        }
        assertTrue(leaks.isEmpty(), "a secret leaked into: " + leaks);
    }
}
