package io.meshclient.spring.boot.typo.group;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.service.registry.ImportHttpServices;

/** An application with the HTTP service group "reviewz" (a typo of the mesh service "reviews"). */
@SpringBootConfiguration
@EnableAutoConfiguration
@ImportHttpServices(group = "reviewz", types = TypoGroupApi.class)
public class TypoGroupApp {}
