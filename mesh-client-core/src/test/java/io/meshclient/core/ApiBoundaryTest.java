package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.boundaryfixture.OutsideApi;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Core's public surface is its API packages (listed in {@code io/meshclient/core/package-info.java}):
 * every other public type lives under {@code io.meshclient.core.internal}, and no public or protected
 * signature of an API type names an internal type. Scans the compiled main classes.
 */
class ApiBoundaryTest {
  static final Set<String> API_PACKAGES =
      Set.of("io.meshclient.core", "io.meshclient.core.config", "io.meshclient.core.metrics",
          "io.meshclient.core.observation");
  private static final String INTERNAL = "io.meshclient.core.internal";

  @Test
  void everyPublicTypeOfCoreIsInAnApiPackageOrInternal() throws Exception {
    List<Class<?>> classes = mainClasses();
    assertThat(classes).contains(Mesh.class).hasSizeGreaterThan(50);
    assertThat(violations(classes)).isEmpty();
  }

  @Test
  void aPublicTypeOutsideTheApiPackagesIsReported() {
    assertThat(violations(List.of(OutsideApi.class))).containsExactly(
        "public type io.meshclient.core.boundaryfixture.OutsideApi is outside the API packages "
            + API_PACKAGES.stream().sorted().toList() + " and not under " + INTERNAL);
  }

  @Test
  void anApiSignatureNamingAnInternalTypeIsReported() {
    assertThat(violations(List.of(LeakyApiFixture.class))).containsExactlyInAnyOrder(
        "io.meshclient.core.LeakyApiFixture.runtime() mentions io.meshclient.core.internal.MeshRuntime",
        "io.meshclient.core.LeakyApiFixture(io.meshclient.core.internal.routing.Route) mentions "
            + "io.meshclient.core.internal.routing.Route");
  }

  /** What breaks the boundary among {@code classes}, one line each. */
  static List<String> violations(List<Class<?>> classes) {
    List<String> out = new ArrayList<>();
    for (Class<?> c : classes) {
      String pkg = c.getPackageName();
      if (!isPublic(c) || pkg.equals(INTERNAL) || pkg.startsWith(INTERNAL + ".")) {
        continue;
      }
      if (!API_PACKAGES.contains(pkg)) {
        out.add("public type " + c.getName() + " is outside the API packages "
            + API_PACKAGES.stream().sorted().toList() + " and not under " + INTERNAL);
        continue;
      }
      check(c.getName() + " extends", c.getGenericSuperclass(), out);
      for (Type t : c.getGenericInterfaces()) {
        check(c.getName() + " implements", t, out);
      }
      for (Field f : c.getDeclaredFields()) {
        if (visible(f.getModifiers()) && !f.isSynthetic()) {
          check(c.getName() + "." + f.getName(), f.getGenericType(), out);
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
          String where = c.getName() + "." + m.getName() + "(" + params(m) + ")";
          check(where, m.getGenericReturnType(), out);
          checkAll(where, m, out);
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (visible(k.getModifiers()) && !k.isSynthetic()) {
          checkAll(c.getName() + "(" + params(k) + ")", k, out);
        }
      }
    }
    return out;
  }

  private static void checkAll(String where, Executable e, List<String> out) {
    for (Type t : e.getGenericParameterTypes()) {
      check(where, t, out);
    }
    for (Type t : e.getGenericExceptionTypes()) {
      check(where, t, out);
    }
  }

  private static String params(Executable e) {
    return String.join(", ", Stream.of(e.getParameterTypes()).map(Class::getName).toList());
  }

  private static void check(String where, Type type, List<String> out) {
    if (type == null) {
      return;
    }
    String name = type.getTypeName();
    int at = name.indexOf(INTERNAL + ".");
    if (at >= 0) {
      int end = at;
      while (end < name.length() && (Character.isJavaIdentifierPart(name.charAt(end)) || name.charAt(end) == '.'
          || name.charAt(end) == '$')) {
        end++;
      }
      out.add(where + " mentions " + name.substring(at, end));
    }
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** Public, and so are all its enclosing types. */
  private static boolean isPublic(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    return !c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic();
  }

  /** Every class compiled from core's main sources. */
  private static List<Class<?>> mainClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(Mesh.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
        name = name.substring(0, name.length() - ".class".length());
        if (!name.endsWith("package-info") && !name.equals("module-info")) {
          out.add(Class.forName(name, false, ApiBoundaryTest.class.getClassLoader()));
        }
      }
    }
    return out;
  }
}
