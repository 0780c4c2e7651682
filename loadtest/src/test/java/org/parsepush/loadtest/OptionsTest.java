package org.parsepush.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line is refused before anything starts when it cannot be what the user meant. */
class OptionsTest {

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> Options.parse(args)).getMessage();
    }

    @Test
    void givesTheDocumentedDefaults() {
        Options options = Options.parse(new String[] {"fanout"});
        assertEquals(100_000, options.devices());
        assertEquals(2000, options.rate());
        assertEquals(20, options.seconds());
        assertEquals(10_000, options.connections());
        assertEquals(4, options.sourceAddresses());
        assertEquals("256m", options.heap());
        assertEquals("failed", options.outcomes());
        assertEquals(Path.of("loadtest-fanout.json"), options.report());
        assertEquals(0, options.warmUp());
        assertEquals(1, options.warmUpPushes());
        assertEquals(1, options.repeat());
        assertTrue(options.withParseServer());
        assertArrayEquals(new double[] {0.6, 0.3, 0.1}, options.shares(), 1e-9);
    }

    @Test
    void readsEveryOption() {
        Options options = Options.parse(new String[] {"deliver-batch", "--devices", "2500", "--warm-up", "1000",
                "--warm-up-pushes", "3", "--mix", "50/50/0", "--baselines", "adapter", "--outcomes", "none",
                "--repeat", "2", "--report", "x.json"});
        assertEquals(2500, options.devices());
        assertEquals(1000, options.warmUp());
        assertEquals(3, options.warmUpPushes());
        assertEquals(2, options.repeat());
        assertEquals("none", options.outcomes());
        assertEquals(Path.of("x.json"), options.report());
        assertFalse(options.withParseServer());
        assertArrayEquals(new double[] {0.5, 0.5, 0}, options.shares(), 1e-9);
    }

    @Test
    void refusesAnUnknownScenarioOrOption() {
        assertTrue(refusal("fanoutx").startsWith("unknown scenario fanoutx"));
        // A misspelt option would otherwise run the whole scenario on its defaults.
        assertTrue(refusal("fanout", "--devicez", "10").startsWith("unknown option --devicez"));
        assertTrue(refusal("fanout", "--devices").startsWith("bad option --devices"));
    }

    @Test
    void namesTheOptionWhoseValueIsWrong() {
        assertEquals("--devices needs a whole number of 0 or more, not abc", refusal("fanout", "--devices", "abc"));
        assertEquals("--rate needs a whole number of 0 or more, not -5", refusal("transactional", "--rate", "-5"));
        assertEquals("--warm-up-pushes is at least 1, not 0", refusal("fanout", "--warm-up-pushes", "0"));
        assertEquals("--repeat is at least 1, not 0", refusal("fanout", "--repeat", "0"));
        assertEquals("--outcomes is one of failed, all, none, not some", refusal("fanout", "--outcomes", "some"));
        assertEquals("--baselines is one of all, adapter, not node", refusal("parse-baseline", "--baselines", "node"));
        assertEquals("--mix needs three percentages like 60/30/10, not 60/40",
                refusal("fanout", "--mix", "60/40"));
        assertEquals("--mix needs three percentages like 60/30/10, not a/b/c", refusal("fanout", "--mix", "a/b/c"));
        assertEquals("--mix needs three percentages like 60/30/10, not 0/0/0", refusal("fanout", "--mix", "0/0/0"));
    }

    @Test
    void allRunsEveryScenarioAndReportsEachToItsOwnFile() {
        Options all = Options.parse(new String[] {"all"});
        assertEquals(6, Options.SCENARIOS.size());
        assertEquals(Path.of("loadtest-transactional.json"), all.forScenario("transactional").report());
    }
}
