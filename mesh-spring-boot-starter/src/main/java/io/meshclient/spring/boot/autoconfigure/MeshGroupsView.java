package io.meshclient.spring.boot.autoconfigure;

import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer.ClientCallback;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer.GroupCallback;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer.Groups;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer.InitializingClientCallback;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer.ProxyFactoryCallback;

/**
 * The HTTP service groups an application's group configurer is given, whose client builders are views that
 * keep the mesh ({@code view}): a request factory the configurer sets on a group's builder serves the hosts
 * the mesh does not manage, and those it manages (a group named after a mesh service) go through the mesh.
 * A builder the configurer makes itself ({@code forEachClient(InitializingClientCallback)}) is kept as a
 * view too, but only what is set on it afterwards, through a view, keeps the mesh.
 */
record MeshGroupsView<CB>(Groups<CB> groups, UnaryOperator<CB> view) implements Groups<CB> {
  @Override
  public Groups<CB> filterByName(String... groupNames) {
    return new MeshGroupsView<>(groups.filterByName(groupNames), view);
  }

  @Override
  public Groups<CB> filter(Predicate<HttpServiceGroup> predicate) {
    return new MeshGroupsView<>(groups.filter(predicate), view);
  }

  @Override
  public void forEachClient(ClientCallback<CB> callback) {
    groups.forEachClient((ClientCallback<CB>) (group, builder) -> callback.withClient(group, view.apply(builder)));
  }

  @Override
  public void forEachClient(InitializingClientCallback<CB> callback) {
    groups.forEachClient((InitializingClientCallback<CB>) group -> {
      CB builder = callback.initClient(group);
      return builder == null ? null : view.apply(builder);
    });
  }

  @Override
  public void forEachProxyFactory(ProxyFactoryCallback callback) {
    groups.forEachProxyFactory(callback);
  }

  @Override
  public void forEachGroup(GroupCallback<CB> callback) {
    groups.forEachGroup((group, builder, factory) -> callback.withGroup(group, view.apply(builder), factory));
  }
}
