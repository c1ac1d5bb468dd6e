package io.meshclient.spring.boot.testapp;

/** The JSON body the reviews backends return. */
public record Review(int productId, String version) {}
