/**
 * Address allow-lists: which instance addresses a service's discovery may hand the mesh, checked on the
 * resolved address when instances arrive and again when a connection is made.
 */
package io.meshclient.core.internal.security;
