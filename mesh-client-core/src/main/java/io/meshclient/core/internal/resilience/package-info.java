/**
 * Resilience: circuit breaking (on resilience4j), retry budgets and outlier ejection, all driven by an
 * injectable {@link io.meshclient.core.Ticker}.
 */
package io.meshclient.core.internal.resilience;
