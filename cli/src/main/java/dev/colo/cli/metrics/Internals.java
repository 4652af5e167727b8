package dev.colo.cli.metrics;

import java.lang.reflect.Field;
import java.util.logging.Logger;

/**
 * Reads a private field of a node object (its source gates, its links, its comparator) that the node keeps but
 * does not expose. Used at scrape time only, so that metrics need no change to the node classes; a field that is
 * not there (renamed) reads as null and its metrics are left out, with one warning. {@code MetricsFieldsTest}
 * checks the names still match.
 */
final class Internals {
    private static final Logger LOG = Logger.getLogger(Internals.class.getName());

    private Internals() {
    }

    /** The field {@code name} of {@code owner}'s class, accessible, or null (logged) when it is not there. */
    static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | RuntimeException e) {
            LOG.warning("metrics: " + owner.getSimpleName() + " has no field '" + name + "' (" + e + "); its metrics are left out");
            return null;
        }
    }

    /** Its value in {@code target}, or null. */
    static <T> T read(Field f, Object target, Class<T> type) {
        if (f == null || target == null) {
            return null;
        }
        try {
            Object v = f.get(target);
            return type.isInstance(v) ? type.cast(v) : null;
        } catch (IllegalAccessException e) {
            return null;
        }
    }
}
