package io.meshclient.spring.boot.autoconfigure;

import java.lang.reflect.Modifier;
import java.util.function.UnaryOperator;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.framework.ProxyFactory;

/**
 * Hands a customizer bean ({@code RestClientCustomizer}, {@code WebClientCustomizer}) a view of the builder
 * it customizes in place of the builder, so that what it sets keeps the mesh. The bean is proxied rather than
 * replaced, so it keeps its type (a subclass proxy, or an interface proxy for a lambda or a final class) and
 * its order ({@code Ordered}, {@code @Order}), and an application that injects it by its class still can.
 */
final class BuilderViewAdvice<B> implements MethodInterceptor {
  private final String method;
  private final Class<B> builderType;
  private final UnaryOperator<B> view;

  private BuilderViewAdvice(String method, Class<B> builderType, UnaryOperator<B> view) {
    this.method = method;
    this.builderType = builderType;
    this.view = view;
  }

  /**
   * {@code customizer}, proxied so that its {@code customize(builder)} gets {@code view.apply(builder)};
   * {@code view} returns a builder that already is a view as it is.
   */
  static <B> Object proxy(Object customizer, Class<B> builderType, UnaryOperator<B> view) {
    return proxy(customizer, "customize", builderType, view);
  }

  /**
   * {@code target}, proxied so that its one-argument {@code method(argument)} gets {@code view.apply(argument)}
   * (an HTTP service group configurer's {@code configureGroups(groups)}, say).
   */
  static <B> Object proxy(Object target, String method, Class<B> argumentType, UnaryOperator<B> view) {
    ProxyFactory factory = new ProxyFactory(target);
    Class<?> type = target.getClass();
    // a subclass proxy cannot override a final method: it would run on the proxy, whose fields are not set
    factory.setProxyTargetClass(!Modifier.isFinal(type.getModifiers()) && !type.isSynthetic() && !type.isHidden()
        && overridable(type, method, argumentType));
    factory.addAdvice(new BuilderViewAdvice<>(method, argumentType, view));
    return factory.getProxy(type.getClassLoader());
  }

  private static boolean overridable(Class<?> type, String method, Class<?> argumentType) {
    try {
      return !Modifier.isFinal(type.getMethod(method, argumentType).getModifiers());
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * Whether {@code customizer} is to be proxied: not if this advice proxies it already, nor if it is Spring's
   * or the starter's own (none of those sets a factory or connector that is not routed already, and a
   * proxy for each would cost start-up time for nothing).
   */
  static boolean wanted(Object customizer) {
    String type = customizer.getClass().getName();
    if (type.startsWith("org.springframework.") || type.startsWith("io.meshclient.spring.boot.autoconfigure.")
        || type.startsWith("io.meshclient.spring.boot.client.")) {
      return false;
    }
    return !(customizer instanceof org.springframework.aop.framework.Advised advised
        && advised.getAdvisors().length > 0 && advised.getAdvisors()[0].getAdvice() instanceof BuilderViewAdvice);
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Object[] arguments = invocation.getArguments();
    if (invocation.getMethod().getName().equals(method) && arguments.length == 1
        && builderType.isInstance(arguments[0])) {
      arguments[0] = view.apply(builderType.cast(arguments[0])); // ReflectiveMethodInvocation passes them on
    }
    return invocation.proceed();
  }
}
