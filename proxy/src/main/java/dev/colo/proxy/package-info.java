/**
 * Frame I/O on taps and bridges, mirroring, redirecting, TCP rewriting, release.
 * <p>Placeholder until this module's issue is taken.
 */
package dev.colo.proxy;
