/**
 * Spring's HTTP clients over the mesh: a {@code ClientHttpRequestFactory} on the mesh's OkHttpClient,
 * the {@code RestClient} interceptor, the HTTP service group configurer and the {@code @MeshClient}
 * registrar.
 */
package io.meshclient.spring.boot.client;
