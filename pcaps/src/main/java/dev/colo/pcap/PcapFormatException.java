package dev.colo.pcap;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A capture file is malformed: the message names the file, the byte offset of the offending header, record or block,
 * and what is wrong with it. Frames before the offending one have already been delivered by the reader.
 */
public class PcapFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final long offset;
    private final String problem;

    public PcapFormatException(Path path, long offset, String problem) {
        super(path + ": at byte offset " + offset + ": " + problem);
        this.path = path;
        this.offset = offset;
        this.problem = problem;
    }

    /** The file that is malformed. */
    public Path path() {
        return path;
    }

    /** Byte offset in the file of the header, record or block that is malformed. */
    public long offset() {
        return offset;
    }

    /** What is wrong, without file name and offset. */
    public String problem() {
        return problem;
    }
}
