package dev.colo.checkpoint.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ArbiterTest {
    @Test
    void alwaysGrantsEverythingAndSaysWhyThatIsRisky() {
        try (Arbiter always = new AlwaysArbiter()) {
            assertTrue(always.renew("c", "a"));
            assertTrue(always.renew("c", "b"), "even two nodes at once: that is the risk");
            Decision d = always.requestPromotion("c", "b", Duration.ZERO);
            assertTrue(d.granted());
            always.release("c", "a");
            assertTrue(always.describe().contains("split brain"), always.describe());
        }
    }

    @Test
    void parsesAlways() {
        assertInstanceOf(AlwaysArbiter.class, Arbiter.parse("always"));
        assertInstanceOf(AlwaysArbiter.class, Arbiter.parse(" ALWAYS "));
    }

    @Test
    void parsesAWitnessWithTheDefaultsAndWithoutResolvingItsName() {
        try (Arbiter a = Arbiter.parse("witness:witness.invalid:7478")) {
            WitnessArbiter w = assertInstanceOf(WitnessArbiter.class, a);
            assertEquals(WitnessArbiter.DEFAULT_LEASE_TTL, w.leaseTtl());
            assertEquals(WitnessArbiter.DEFAULT_LEASE_TTL.dividedBy(WitnessArbiter.RENEWALS_PER_LEASE), w.renewInterval());
            assertTrue(w.describe().contains("witness.invalid:7478"), w.describe());
        }
    }

    @Test
    void parsesABracketedIpv6Witness() {
        try (Arbiter a = Arbiter.parse("witness:[::1]:7478")) {
            assertTrue(a.describe().startsWith("witness [::1]:7478 "), a.describe());
        }
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "never", "witness", "witness:", "witness:host", "witness:host:", "witness::7478",
        "witness:host:port", "witness:host:99999", "witness:host:0", "witness:::1:7478", "witness:[::1]7478",
        "witness:[::1", "witness:host:7478:1", "witnesses:host:7478"})
    void rejectsBadSpecsAndShowsTheAcceptedForms(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Arbiter.parse(spec));
        assertTrue(e.getMessage().contains("'always' or 'witness:HOST:PORT'"), e.getMessage());
    }

    @Test
    void hostPortRoundTripsAndBracketsIpv6() {
        assertEquals(new HostPort("0.0.0.0", 7478), HostPort.parse("0.0.0.0:7478"));
        assertEquals(new HostPort("::", 0), HostPort.parse("[::]:0"));
        assertEquals("[::1]:7478", HostPort.parse("[::1]:7478").toString());
        assertEquals("example.org:1", HostPort.parse(" example.org:1 ").toString());
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("[]:7478"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:65536"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:+1"));
    }
}
