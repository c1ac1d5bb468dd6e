package io.meshclient.spring.boot.client;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Builds the implementations of the {@code @MeshClient} beans off the main thread while the rest of the
 * application context starts, and fails the start-up if one cannot be built.
 *
 * <p>Building a client (a RestClient and Spring's HTTP-interface proxy, with their classes loaded and run
 * for the first time) costs the first one 30 to 50 ms on a cold JVM. So each {@code @MeshClient} bean is a
 * small JDK proxy of its interface, made at once, whose implementation is queued, as the bean is created,
 * for one background daemon thread that builds them in turn. A call that comes first builds it itself,
 * or waits for the background build. Once every singleton of the context exists, before the web server or
 * any other lifecycle bean starts, every build not finished is waited for, and one that failed fails the
 * start-up as an eager bean would: a badly declared interface is still reported before anything runs.
 * Clients created after that (lazy beans) are built on the calling thread.
 */
public final class DeferredMeshClients implements SmartInitializingSingleton, DisposableBean {
  /** One daemon thread builds the clients in turn, and ends when idle, so nothing lingers either way. */
  private final ThreadPoolExecutor builder = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), task -> {
        Thread thread = new Thread(task, "mesh-client-init");
        thread.setDaemon(true);
        return thread;
      });
  private final List<Pending<?>> pending = new ArrayList<>();
  /** True once the singletons are created (or the context is closing): builds then run on the caller. */
  private boolean buildsOnCaller;

  public DeferredMeshClients() {
    builder.allowCoreThreadTimeOut(true);
  }

  /**
   * The bean for {@code type}: a proxy calling the implementation {@code creation} builds, which is
   * queued now for the background thread (or run by the first call, whichever comes first).
   */
  public <T> T proxy(String beanName, Class<T> type, Supplier<T> creation) {
    Pending<T> client = new Pending<>(beanName, type, creation);
    boolean later;
    synchronized (this) {
      later = !buildsOnCaller;
      if (later) {
        pending.add(client);
        builder.execute(client.task);
      }
    }
    if (!later) {
      client.target(); // a lazy bean, asked for after start-up: built now, by its first user
    }
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, client));
  }

  /**
   * Waits, once every singleton exists and before anything starts (web server, other lifecycle beans),
   * for the clients still being built; the first that failed fails the start-up.
   *
   * @throws BeanCreationException naming the bean and the interface of a client that could not be built
   */
  @Override
  public void afterSingletonsInstantiated() {
    List<Pending<?>> waiting;
    synchronized (this) {
      buildsOnCaller = true;
      waiting = new ArrayList<>(pending);
      pending.clear();
    }
    builder.shutdown(); // the queued builds still run
    for (Pending<?> client : waiting) {
      client.target();
    }
  }

  /** A context that failed before its singletons were all created drops the builds not started. */
  @Override
  public void destroy() {
    synchronized (this) {
      buildsOnCaller = true; // from now on, built by their callers
    }
    builder.shutdownNow();
  }

  /** One client: its build, run once by whichever thread gets to it first, and its calls. */
  private static final class Pending<T> implements InvocationHandler {
    private final String beanName;
    private final Class<T> type;
    private final FutureTask<T> task;
    /** The built implementation, once a call has needed it; {@link #handler} is written first. */
    private volatile T built;
    /** The implementation's own handler: Spring's HTTP-interface clients are JDK proxies. */
    private InvocationHandler handler;

    Pending(String beanName, Class<T> type, Supplier<T> creation) {
      this.beanName = beanName;
      this.type = type;
      this.task = new FutureTask<>(creation::get);
    }

    /** The built implementation; builds it on this thread if no other has started. */
    T target() {
      task.run(); // no-op when it has run or another thread is running it
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return task.get();
          } catch (InterruptedException e) {
            interrupted = true; // keep waiting: the build is short and its result is needed
          } catch (ExecutionException e) {
            throw new BeanCreationException(beanName,
                "@MeshClient " + type.getName() + " could not be created: " + e.getCause().getMessage(), e.getCause());
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "toString" -> "@MeshClient " + type.getName();
          default -> throw new UnsupportedOperationException(method.getName());
        };
      }
      T target = built;
      if (target == null) {
        target = target();
        handler = Proxy.getInvocationHandler(target); // racing first calls write the same handler
        built = target;
      }
      // Straight to Spring's handler: no reflective access to the interface is needed, and a call costs
      // one volatile read on top of Spring's own dispatch.
      return handler.invoke(target, method, args);
    }
  }
}
