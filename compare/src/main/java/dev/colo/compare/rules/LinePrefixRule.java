package dev.colo.compare.rules;

import java.nio.charset.StandardCharsets;

/** Matches any line that starts with a fixed prefix. */
final class LinePrefixRule implements IgnoreRule {
    private final String name;
    private final byte[] prefix;

    LinePrefixRule(String name, String prefix) {
        this.name = name;
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean matches(byte[] buf, int start, int end) {
        return end - start >= prefix.length
                && java.util.Arrays.equals(buf, start, start + prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public String toString() {
        return name;
    }
}
