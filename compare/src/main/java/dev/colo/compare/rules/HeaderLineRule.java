package dev.colo.compare.rules;

import java.nio.charset.StandardCharsets;

/** Matches a header line {@code NAME: value}, the name compared case-insensitively (ASCII). */
final class HeaderLineRule implements IgnoreRule {
    private final String name;
    private final byte[] lowerPrefix;

    HeaderLineRule(String name, String header) {
        if (header.isEmpty() || header.indexOf(':') >= 0) {
            throw new IllegalArgumentException("bad header name in rule '" + name + "'");
        }
        this.name = name;
        this.lowerPrefix = (header.toLowerCase(java.util.Locale.ROOT) + ":").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean matches(byte[] buf, int start, int end) {
        if (end - start < lowerPrefix.length) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length; i++) {
            int c = buf[start + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerPrefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name;
    }
}
