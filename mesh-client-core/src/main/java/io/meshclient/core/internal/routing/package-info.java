/**
 * Route matching: a service's rules compiled into a {@link io.meshclient.core.internal.routing.RouteTable} that
 * matches a request and picks a subset without allocating.
 */
package io.meshclient.core.internal.routing;
