package org.parsepush.loadtest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway APNs client certificate made with the JDK's keytool, shaped like Apple's: the
 * subject UID is the topic, and it carries Apple's APNs extension, which Parse's own push
 * adapter (node-apn) insists on.
 */
final class Certificates {

    private Certificates() {
    }

    static Path apnsP12(Path dir, String topic, String password) throws IOException, InterruptedException {
        Path p12 = dir.resolve(topic + ".p12");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "apns", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "UID=" + topic + ", CN=Apple Push Services: " + topic,
                "-ext", "1.2.840.113635.100.6.3.1=0500", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass", password, "-keypass", password));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return p12;
    }
}
