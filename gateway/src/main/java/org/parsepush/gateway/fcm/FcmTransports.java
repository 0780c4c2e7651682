package org.parsepush.gateway.fcm;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import java.io.UncheckedIOException;
import javax.net.ssl.SSLException;
import org.parsepush.gateway.config.FcmSettings;

/**
 * The two ways an app's service accounts reach Google: messages to FCM over the app's
 * HTTP/2 connections, and the hourly OAuth token exchange to the account's
 * {@code token_uri} over plain JDK HTTP, where one request an hour needs nothing more.
 */
record FcmTransports(HttpTransport oauth, Http2Transport messages) implements AutoCloseable {

    static FcmTransports open(FcmSettings settings) {
        try {
            return new FcmTransports(new NetHttpTransport(), new Http2Transport(settings.endpoint(),
                    settings.connections(), settings.trustedServerCaFile(), settings.requestTimeout()));
        } catch (SSLException e) {
            throw new UncheckedIOException("fcm.trustedServerCaFile cannot be used: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        messages.close();
    }
}
