package io.meshclient.spring.boot.client;

import io.meshclient.spring.boot.EnableMeshClients;
import io.meshclient.spring.boot.MeshClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Registers a bean for each {@link MeshClient} interface named or found by {@link EnableMeshClients}.
 * Each bean is built by the {@link MeshClientFactory} bean, so it calls through the mesh, off the main
 * thread by {@link DeferredMeshClients} (a failure still fails the start-up). An interface already
 * registered (by another registrar or scan) is left alone.
 */
public class MeshClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, ResourceLoaderAware {
  /** The bean that builds the clients' implementations ({@link DeferredMeshClients}). */
  static final String DEFERRED_CLIENTS = "meshDeferredClients";
  private Environment environment;
  private ResourceLoader resourceLoader;

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
    Map<String, Object> attributes = metadata.getAnnotationAttributes(EnableMeshClients.class.getName());
    Set<String> packages = new LinkedHashSet<>(Arrays.asList((String[]) attributes.get("basePackages")));
    for (Class<?> type : (Class<?>[]) attributes.get("basePackageClasses")) {
      packages.add(ClassUtils.getPackageName(type));
    }
    Class<?>[] clients = (Class<?>[]) attributes.get("clients");
    if (packages.isEmpty() && clients.length == 0) {
      packages.add(ClassUtils.getPackageName(metadata.getClassName()));
    }
    List<String> types = new ArrayList<>();
    Arrays.stream(clients).map(Class::getName).forEach(types::add);
    types.addAll(scan(packages, environment, resourceLoader, registry));
    register(types, registry);
  }

  /**
   * Spring Boot's cache of parsed class files, shared by the application's component scan: with it, this
   * scan of the same packages reads no class file a second time (an internal bean name of Boot's).
   */
  private static final String SHARED_METADATA_READER_FACTORY =
      "org.springframework.boot.autoconfigure.internalCachingMetadataReaderFactory";

  /** The names of the {@link MeshClient} interfaces in {@code packages}. */
  public static List<String> scan(Iterable<String> packages, Environment env, ResourceLoader loader) {
    return scan(packages, env, loader, null);
  }

  /**
   * The names of the {@link MeshClient} interfaces in {@code packages}, reusing the class files the
   * application's component scan of {@code registry} has already parsed when Boot shares them.
   */
  public static List<String> scan(Iterable<String> packages, Environment env, ResourceLoader loader,
      BeanDefinitionRegistry registry) {
    ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false, env) {
      @Override
      protected boolean isCandidateComponent(
          org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
        return definition.getMetadata().isInterface() && definition.getMetadata().isIndependent();
      }
    };
    if (loader != null) {
      scanner.setResourceLoader(loader);
    }
    if (registry instanceof BeanFactory factory && factory.containsBean(SHARED_METADATA_READER_FACTORY)
        && factory.isTypeMatch(SHARED_METADATA_READER_FACTORY, MetadataReaderFactory.class)) {
      scanner.setMetadataReaderFactory(factory.getBean(SHARED_METADATA_READER_FACTORY, MetadataReaderFactory.class));
    }
    scanner.addIncludeFilter(new AnnotationTypeFilter(MeshClient.class, false, true));
    List<String> found = new ArrayList<>();
    for (String pkg : packages) {
      scanner.findCandidateComponents(pkg).forEach(d -> found.add(d.getBeanClassName()));
    }
    return found;
  }

  /**
   * Registers one bean per interface, named after it, unless a bean of that name exists, and the
   * {@link DeferredMeshClients} that builds them.
   */
  public static void register(List<String> typeNames, BeanDefinitionRegistry registry) {
    ClassLoader classLoader = registry instanceof org.springframework.beans.factory.config.ConfigurableBeanFactory f
        ? f.getBeanClassLoader() : ClassUtils.getDefaultClassLoader();
    if (!typeNames.isEmpty() && !registry.containsBeanDefinition(DEFERRED_CLIENTS)) {
      RootBeanDefinition deferred = new RootBeanDefinition(DeferredMeshClients.class);
      deferred.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
      registry.registerBeanDefinition(DEFERRED_CLIENTS, deferred);
    }
    for (String typeName : typeNames) {
      if (registry.containsBeanDefinition(typeName)) {
        continue;
      }
      Class<?> type = ClassUtils.resolveClassName(typeName, classLoader);
      registry.registerBeanDefinition(typeName, definition(typeName, type, (BeanFactory) registry));
    }
  }

  private static <T> RootBeanDefinition definition(String beanName, Class<T> type, BeanFactory beanFactory) {
    RootBeanDefinition definition = new RootBeanDefinition(type);
    definition.setInstanceSupplier(() -> {
      MeshClient annotation = type.getAnnotation(MeshClient.class);
      MeshClientFactory factory = beanFactory.getBeanProvider(MeshClientFactory.class).getIfAvailable(() -> {
        throw new IllegalStateException("@MeshClient " + type.getName()
            + " needs the mesh, but there is no MeshClientFactory bean (is mesh.enabled=false?)");
      });
      if (annotation == null) {
        return factory.create(type); // throws, naming the missing annotation
      }
      return beanFactory.getBean(DEFERRED_CLIENTS, DeferredMeshClients.class)
          .proxy(beanName, type, factory.prepare(type, annotation.value()));
    });
    return definition;
  }
}
