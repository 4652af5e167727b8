/**
 * A small JNA-driven VMM over /dev/kvm: runs a guest, tracks dirty pages, captures and applies VM state.
 * <p>Placeholder until this module's issue is taken.
 */
package dev.colo.kvm;
