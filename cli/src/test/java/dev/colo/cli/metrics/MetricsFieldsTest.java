package dev.colo.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.colo.cli.node.CompareNode;
import dev.colo.cli.node.PrimaryRunner;
import dev.colo.cli.node.SecondaryRunner;
import dev.colo.compare.OutputComparator;
import dev.colo.compare.pipeline.CompareStage;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.node.PrimaryNode;
import dev.colo.proxy.node.SecondaryNode;
import dev.colo.proxy.node.SourceGate;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The private fields {@link ColoMetrics} reads through {@link Internals} are still there, with the types it expects. */
class MetricsFieldsTest {
    private static void has(Class<?> owner, String name, Class<?> type) throws Exception {
        assertEquals(true, type.isAssignableFrom(owner.getDeclaredField(name).getType()), owner.getSimpleName() + "." + name);
    }

    @Test
    void theFieldsTheMetricsReadExist() throws Exception {
        has(CompareNode.class, "comparator", OutputComparator.class);
        has(CompareNode.class, "outRefused", AtomicLong.class);
        has(PrimaryNode.class, "compare", CompareStage.class);
        has(PrimaryNode.class, "mirror", FrameLink.class);
        has(PrimaryRunner.class, "redirect", FrameLink.class);
        has(SecondaryRunner.class, "mirror", FrameLink.class);
        has(SecondaryNode.class, "redirect", FrameLink.class);
        for (String g : new String[] {"networkGate", "vmGate", "redirectGate"}) {
            has(PrimaryNode.class, g, SourceGate.class);
        }
        for (String g : new String[] {"mirrorGate", "vmGate", "networkGate"}) {
            has(SecondaryNode.class, g, SourceGate.class);
        }
    }
}
