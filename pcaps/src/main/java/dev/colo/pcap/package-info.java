/**
 * Streaming pcap and pcapng reading and writing for the packet-comparison replay.
 *
 * <p>{@link dev.colo.pcap.PacketFileReader#open} detects the format by magic number and delivers frames one at a
 * time into a reused array without per-frame allocation; {@link dev.colo.pcap.PacketFileWriter} writes classic pcap
 * (microsecond or nanosecond) or single-interface pcapng. Malformed input raises
 * {@link dev.colo.pcap.PcapFormatException} with the file and byte offset.
 */
package dev.colo.pcap;
