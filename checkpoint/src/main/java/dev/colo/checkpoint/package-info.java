/**
 * The sync-point checkpoint protocol, coordinators, heartbeat and failover.
 * <p>Placeholder until this module's issue is taken.
 */
package dev.colo.checkpoint;
