package io.meshclient.spring.boot.typo.client;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** An application whose package holds {@link TypoClient}. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TypoClientApp {}
