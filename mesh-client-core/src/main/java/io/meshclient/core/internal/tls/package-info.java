/**
 * Mutual TLS with peer identity checks: SPIFFE X509-SVID or DNS identities verified during the handshake,
 * before any request byte is written, and client identities reloaded when their files are rotated.
 */
package io.meshclient.core.internal.tls;
