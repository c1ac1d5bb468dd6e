/**
 * The OkHttp side of the mesh: the application interceptor that routes, admits, balances and records
 * every call to a mesh service, and the network interceptor that tells it whether an attempt's connection was reused.
 */
package io.meshclient.core.internal.http;
