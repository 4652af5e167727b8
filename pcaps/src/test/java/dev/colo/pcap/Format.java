package dev.colo.pcap;

import java.io.IOException;
import java.nio.file.Path;

/** The three file flavours our writer produces, with the timestamp precision each keeps. */
enum Format {
    PCAP_MICROS(".pcap", 1000),
    PCAP_NANOS(".pcap", 1),
    PCAPNG(".pcapng", 1);

    final String extension;
    private final long resolutionNanos;

    Format(String extension, long resolutionNanos) {
        this.extension = extension;
        this.resolutionNanos = resolutionNanos;
    }

    PacketFileWriter create(Path path, int linkType, int snaplen) throws IOException {
        switch (this) {
            case PCAP_MICROS: return PacketFileWriter.pcap(path, linkType, snaplen, false);
            case PCAP_NANOS: return PacketFileWriter.pcap(path, linkType, snaplen, true);
            default: return PacketFileWriter.pcapng(path, linkType, snaplen);
        }
    }

    /** The timestamp read back: microsecond files drop the sub-microsecond part. */
    long stored(long timestampNanos) {
        return timestampNanos - timestampNanos % resolutionNanos;
    }

    /** Bytes before the first frame record. */
    long headerLength() {
        return this == PCAPNG ? 28 + 32 : 24;
    }

    /** Size of one frame record with {@code captured} bytes. */
    long recordLength(int captured) {
        return this == PCAPNG ? 32 + ((captured + 3) & ~3) : 16 + captured;
    }
}
