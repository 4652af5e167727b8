package dev.colo.cli.replay;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses "3000", "3000ms", "3s", "250us", "1m" into nanoseconds (a bare number means milliseconds). */
public final class DurationConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return parseNanos(value);
    }

    public static long parseNanos(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new TypeConversionException("'" + value + "' is not a duration (examples: 3000ms, 3s, 250us)");
        }
        double n = Double.parseDouble(v.substring(0, i));
        String unit = v.substring(i).trim();
        long nanosPerUnit;
        switch (unit) {
            case "ns": nanosPerUnit = 1; break;
            case "us": nanosPerUnit = 1_000; break;
            case "":
            case "ms": nanosPerUnit = 1_000_000; break;
            case "s": nanosPerUnit = TimeUnit.SECONDS.toNanos(1); break;
            case "m":
            case "min": nanosPerUnit = TimeUnit.MINUTES.toNanos(1); break;
            default:
                throw new TypeConversionException("unknown unit '" + unit + "' in '" + value + "' (use ns, us, ms, s, m)");
        }
        return Math.round(n * nanosPerUnit);
    }
}
