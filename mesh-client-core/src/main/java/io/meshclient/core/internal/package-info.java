/**
 * The mesh's machinery: per-service runtime snapshots and their maintenance. Not public API: anything
 * here may change without notice.
 */
package io.meshclient.core.internal;
