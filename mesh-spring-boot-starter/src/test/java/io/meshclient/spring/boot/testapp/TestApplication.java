package io.meshclient.spring.boot.testapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.service.registry.ImportHttpServices;

/** An application with only the starter, application.yml and annotated clients. */
@SpringBootApplication
@ImportHttpServices(group = "reviews", types = ReviewsGroupApi.class)
public class TestApplication {}
