package org.parsepush.gateway.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads PEM certificates and PKCS#8 private keys, plain or encrypted (what
 * {@code openssl pkcs8 -topk8} and cert-manager's {@code encoding: PKCS8} write). Error
 * messages name the file and the problem, never key material or the password.
 */
public final class PemFiles {

    private static final Pattern KEY_BLOCK = Pattern.compile(
            "-----BEGIN (ENCRYPTED )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END (?:ENCRYPTED )?PRIVATE KEY-----");
    /** PBES2, the scheme OpenSSL uses; the JDK names the actual cipher only in its parameters. */
    private static final String PBES2 = "PBES2";
    private static final String PBES2_OID = "1.2.840.113549.1.5.13";

    private PemFiles() {
    }

    /** Every certificate in a PEM file, in file order. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        try (var in = new ByteArrayInputStream(Files.readAllBytes(file))) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IOException(file + ": no PEM certificate in the file");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IOException(file + ": not a PEM certificate file (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The private key of a PEM file; {@code password} is needed for an encrypted key, else null. */
    public static PrivateKey privateKey(Path file, String password) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher block = KEY_BLOCK.matcher(text);
        if (!block.find()) {
            throw new IOException(file + ": no PKCS#8 private key (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY);"
                    + " convert a PKCS#1 key with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(block.group(2));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the private key is not valid base64");
        }
        boolean encrypted = block.group(1) != null;
        if (encrypted && password == null) {
            throw new IOException(file + ": the private key is encrypted and no password is configured");
        }
        PKCS8EncodedKeySpec spec = encrypted ? decrypt(file, der, password) : new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // Not this algorithm: PKCS#8 carries its own algorithm id, but KeyFactory wants to be told.
            }
        }
        throw new IOException(file + ": not an RSA, EC or EdDSA private key");
    }

    private static PKCS8EncodedKeySpec decrypt(Path file, byte[] der, String password) throws IOException {
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            String algorithm = info.getAlgName();
            if (PBES2.equalsIgnoreCase(algorithm) || PBES2_OID.equals(algorithm)) {
                algorithm = info.getAlgParameters().toString();
            }
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm)
                    .generateSecret(new PBEKeySpec(password.toCharArray())), info.getAlgParameters());
            return info.getKeySpec(cipher);
        } catch (InvalidKeySpecException e) {
            throw new IOException(file + ": the private key cannot be decrypted: wrong password?");
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IOException(file + ": the encrypted private key cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Fails unless {@code key} is the private half of {@code certificate}'s public key: a
     * certificate renewed before its key (two files, two writes) must not be served.
     */
    public static void checkKeyMatches(PrivateKey key, X509Certificate certificate, Path keyFile) throws IOException {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // A key of another type than the certificate's falls through to the error below.
        }
        throw new IOException(keyFile + ": the private key does not belong to the certificate "
                + certificate.getSubjectX500Principal().getName());
    }
}
