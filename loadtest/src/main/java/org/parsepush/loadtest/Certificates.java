package org.parsepush.loadtest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway APNs client certificate made with the JDK's keytool, shaped like Apple's: the
 * subject UID is the topic, and it carries Apple's APNs extensions for the development and
 * the production environment, one of which Parse's own push adapter (node-apn) insists on.
 */
final class Certificates {

    /** Apple's marks of an APNs client certificate: development (sandbox) and production. */
    private static final String APNS_DEVELOPMENT_OID = "1.2.840.113635.100.6.3.1";
    private static final String APNS_PRODUCTION_OID = "1.2.840.113635.100.6.3.2";

    /**
     * The client's key and certificate as a P12, and the certificate alone (PEM) for the APNs
     * stand-in to trust, as APNs trusts the certificates Apple issued.
     */
    record ApnsClientCertificate(Path p12, Path certificatePem) {
    }

    private Certificates() {
    }

    static ApnsClientCertificate apnsClient(Path dir, String topic, String password)
            throws IOException, InterruptedException {
        Path p12 = dir.resolve(topic + ".p12");
        Path pem = dir.resolve(topic + ".pem");
        keytool("-genkeypair", "-alias", "apns", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "UID=" + topic + ", CN=Apple Push Services: " + topic,
                "-ext", APNS_DEVELOPMENT_OID + "=0500", "-ext", APNS_PRODUCTION_OID + "=0500",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", "apns", "-keystore", p12.toString(), "-storepass", password,
                "-file", pem.toString());
        return new ApnsClientCertificate(p12, pem);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.jdkTool("keytool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
