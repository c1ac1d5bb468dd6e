package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.spring.boot.client.MeshClientsRegistrar;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers the {@link io.meshclient.spring.boot.MeshClient} interfaces found in the application's
 * auto-configuration packages (those of the {@code @SpringBootApplication} class), so that no
 * {@code @EnableMeshClients} is needed for them.
 */
class AutoConfiguredMeshClientsRegistrar
    implements ImportBeanDefinitionRegistrar, BeanFactoryAware, EnvironmentAware, ResourceLoaderAware {
  private BeanFactory beanFactory;
  private Environment environment;
  private ResourceLoader resourceLoader;

  @Override
  public void setBeanFactory(BeanFactory factory) {
    this.beanFactory = factory;
  }

  @Override
  public void setEnvironment(Environment env) {
    this.environment = env;
  }

  @Override
  public void setResourceLoader(ResourceLoader loader) {
    this.resourceLoader = loader;
  }

  @Override
  public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    if (!AutoConfigurationPackages.has(beanFactory)) {
      return;
    }
    MeshClientsRegistrar.register(
        MeshClientsRegistrar.scan(AutoConfigurationPackages.get(beanFactory), environment, resourceLoader, registry),
        registry);
  }
}
