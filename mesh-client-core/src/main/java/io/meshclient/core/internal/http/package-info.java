/**
 * The OkHttp side of the mesh: the application interceptor that routes, admits, balances and records
 * every call to a mesh service, and the event listener that tells it what happened on the wire.
 */
package io.meshclient.core.internal.http;
