package dev.colo.cli.demo;

import java.nio.file.Path;

/** What `colo demo` was asked for. */
record DemoSettings(long downloadBytes, String clientRate, boolean table, Path logDir, boolean kvm) {
}
