/** Node-to-node frame links over Netty in QEMU's socket wire format. */
package dev.colo.proxy.link;
