package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SharedStringsTest {

    @Test
    void returnsTheFirstCopyOfEqualStrings() {
        SharedStrings strings = new SharedStrings(10);
        String first = new String("app-id");

        assertSame(first, strings.share(first));
        assertSame(first, strings.share(new String("app-id")));
        assertNull(strings.share(null));
    }

    @Test
    void stopsSharingNewStringsWhenFull() {
        SharedStrings strings = new SharedStrings(1);
        strings.share("known");
        String junk = new String("junk");

        assertSame(junk, strings.share(junk), "not remembered");
        assertSame(junk, strings.share(junk));
        String other = new String("junk");
        assertSame(other, strings.share(other), "a full table shares nothing new");
    }
}
