package org.parsepush.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API key files, their hashes and the {@code hash-key} command, without a server. */
class ApiKeyFileTest {

    @TempDir
    Path dir;

    private Path write(String content) throws IOException {
        Path file = dir.resolve("keys.yaml");
        Files.writeString(file, content);
        return file;
    }

    private String problem(String content) {
        return assertThrows(IOException.class, () -> ApiKeyRing.load(write(content))).getMessage();
    }

    @Test
    void aValidFileGivesKeysThatMatchOnlyTheirOwnSecret() throws IOException {
        String key = ApiKeyHash.newKey("billing");
        ApiKeyRing ring = ApiKeyRing.load(write("- id: billing\n  hash: " + ApiKeyHash.of(key)
                + "\n  operations: [send, read]\n  description: the billing service\n"));
        ApiKey found = ring.authenticate(key).orElseThrow();
        assertEquals(EnumSet.of(Operation.SEND, Operation.READ), found.operations());
        assertTrue(ring.authenticate(key + "x").isEmpty());
        assertTrue(ring.authenticate("other." + key.substring(key.indexOf('.') + 1)).isEmpty());
        assertTrue(ring.authenticate("no-dot-at-all").isEmpty());
    }

    @Test
    void jsonWorksTooAndAnEmptyFileHasNoKeys() throws IOException {
        String key = ApiKeyHash.newKey("a");
        assertEquals(List.of("a"), ApiKeyRing.load(write("[{\"id\":\"a\",\"hash\":\"" + ApiKeyHash.of(key)
                + "\",\"operations\":[\"cancel\"]}]")).ids());
        assertEquals(List.of(), ApiKeyRing.load(write("")).ids());
    }

    @Test
    void problemsNameTheEntryButNeverQuoteTheContent() {
        String secret = "s3cr3t-value-that-must-not-leak-1234567890";
        String hash = ApiKeyHash.of("a." + secret).toString();
        assertTrue(problem("- id: a\n  hash: " + hash + "\n  operations: [sendd]\n")
                .contains("key 'a': unknown operation 'sendd'; known: send_channels, send, send_where"));
        assertTrue(problem("- id: a\n  hash: " + hash + "\n  operations: [send]\n- id: a\n  hash: " + hash
                + "\n  operations: [read]\n").contains("key id 'a' is listed twice"));
        assertTrue(problem("- id: a\n  hash: " + hash + "\n  operations: []\n").contains("at least one"));
        assertTrue(problem("- id: a\n  hash: " + hash + "\n  operation: [send]\n").contains("unknown field 'operation'"));
        assertTrue(problem("- id: a b\n  hash: " + hash + "\n  operations: [send]\n").contains("entry 0: id must be"));
        assertTrue(problem("keys: []\n").contains("must be a list"));
        for (String leaky : List.of("- id: a\n  hash: " + secret + "\n  operations: [send]\n",
                "- id: a\n  hash: " + hash + "\n  operations: [" + secret + "]\n",
                "- id: a\n  " + secret + ": x\n  operations: [send]\n",
                "- id: a\n  hash: [" + secret + "\n")) {
            String message = problem(leaky);
            assertFalse(message.contains(secret), message);
        }
        assertTrue(problem("- id: a\n  hash: [" + secret + "\n").contains("not valid YAML or JSON at line"));
    }

    @Test
    void theHashIsTheSha256OfTheSaltThenTheKeyAsTheOpensslOneLinerMakesIt() throws Exception {
        String key = "billing.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        String hash = ApiKeyHash.of(key).toString();
        String[] parts = hash.split(":");
        assertEquals("sha256", parts[0]);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest((parts[1] + key).getBytes(StandardCharsets.UTF_8));
        assertEquals(HexFormat.of().formatHex(expected), parts[2]);
        assertTrue(ApiKeyHash.parse(hash).matches(key));
    }

    @Test
    void theHashKeyCommandPrintsAKeyAndAnEntryThatAcceptsIt() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = ApiKeyTool.run(new String[] {"hash-key", "--id", "billing", "--operations", "send,read"},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        String printed = out.toString(StandardCharsets.UTF_8);
        String key = printed.lines().filter(line -> line.startsWith("# billing.")).findFirst().orElseThrow()
                .substring(2);
        String entry = printed.lines().filter(line -> !line.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
        ApiKeyRing ring = ApiKeyRing.load(write(entry));
        assertEquals(EnumSet.of(Operation.SEND, Operation.READ), ring.authenticate(key).orElseThrow().operations());

        ByteArrayOutputStream hashed = new ByteArrayOutputStream();
        assertEquals(0, ApiKeyTool.run(new String[] {"hash-key", "--stdin"},
                new ByteArrayInputStream((key + "\n").getBytes(StandardCharsets.UTF_8)),
                new PrintStream(hashed, true, StandardCharsets.UTF_8), System.err));
        assertTrue(ApiKeyHash.parse(hashed.toString(StandardCharsets.UTF_8).trim()).matches(key));
    }

    @Test
    void theHashKeyCommandRefusesBadArguments() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, ApiKeyTool.run(new String[] {"hash-key"}, System.in, sink, sink));
        assertEquals(2, ApiKeyTool.run(new String[] {"hash-key", "--id", "x", "--operations", "fly"}, System.in, sink, sink));
        assertEquals(2, ApiKeyTool.run(new String[] {"hash-key", "--stdin"},
                new ByteArrayInputStream("no-id-here\n".getBytes(StandardCharsets.UTF_8)), sink, sink));
    }
}
