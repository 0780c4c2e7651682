package org.parsepush.gateway.fcm;

import com.google.api.client.http.javanet.ConnectionFactory;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;

/**
 * Sends requests meant for FCM's public host to another base URL (a proxy, or a local FCM
 * endpoint in tests). Every other URL, such as the OAuth token endpoint of the service
 * account, is left alone.
 */
final class FcmEndpoint implements ConnectionFactory {

    static final String PUBLIC_BASE = "https://fcm.googleapis.com";

    private final String base;

    FcmEndpoint(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public HttpURLConnection openConnection(URL url) throws IOException {
        String target = url.toString();
        if (target.startsWith(PUBLIC_BASE)) {
            target = base + target.substring(PUBLIC_BASE.length());
        }
        return (HttpURLConnection) new URL(target).openConnection();
    }
}
