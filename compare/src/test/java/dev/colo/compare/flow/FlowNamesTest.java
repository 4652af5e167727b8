package dev.colo.compare.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** IPv6 addresses in flow names follow RFC 5952 (formatted by hand: a timeout's report compiled a pattern before). */
class FlowNamesTest {
    @Test
    void theLongestRunOfZeroGroupsIsShortened() {
        assertEquals("fd00::1", FlowNames.address(0xfd00_0000_0000_0000L, 1));
        assertEquals("2001:db8::1:0:0:1", FlowNames.address(0x2001_0db8_0000_0000L, 0x0001_0000_0000_0001L));
        assertEquals("2001:0:0:1::1", FlowNames.address(0x2001_0000_0000_0001L, 1));
        assertEquals("1:2:3:4:5:6:7:8", FlowNames.address(0x0001_0002_0003_0004L, 0x0005_0006_0007_0008L));
        assertEquals("1:0:3:4:5:6:7:8", FlowNames.address(0x0001_0000_0003_0004L, 0x0005_0006_0007_0008L));
        assertEquals("::1", FlowNames.address(0, 1));
        assertEquals("fe80::", FlowNames.address(0xfe80_0000_0000_0000L, 0));
        assertEquals("10.0.0.1", FlowNames.address(0, 0x0000_ffff_0a00_0001L));
    }
}
