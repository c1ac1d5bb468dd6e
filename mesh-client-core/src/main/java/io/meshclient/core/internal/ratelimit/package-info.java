/**
 * Token-bucket rate limiting behind resilience4j's {@link io.github.resilience4j.ratelimiter.RateLimiter}
 * interface: {@link io.meshclient.core.internal.ratelimit.GcraRateLimiter}.
 */
package io.meshclient.core.internal.ratelimit;
