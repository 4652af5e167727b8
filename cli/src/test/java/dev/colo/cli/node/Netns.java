package dev.colo.cli.node;

import dev.colo.cli.lab.LabTopology;

/** Tool checks for the node tests. */
final class Netns {
    private Netns() {
    }

    static boolean socatPresent() {
        try {
            return LabTopology.run(false, "sh", "-c", "command -v socat").exit() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
