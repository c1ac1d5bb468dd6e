package io.meshclient.spring.boot.typo.reactive;

import io.meshclient.spring.boot.typo.group.TypoGroupApi;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

/** An application with the reactive HTTP service group "reviewz" (a typo of the mesh service "reviews"). */
@SpringBootConfiguration
@EnableAutoConfiguration
@ImportHttpServices(group = "reviewz", types = TypoGroupApi.class, clientType = HttpServiceGroup.ClientType.WEB_CLIENT)
public class TypoReactiveGroupApp {}
