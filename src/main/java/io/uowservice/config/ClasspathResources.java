package io.uowservice.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Resources of the service's own jar, read through its class loader. Not through Vert.x's file
 * system: resolving a classpath path there unpacks jar entries into a cache directory, which cost
 * 1.5-2 s of CPU at every start (the jar holds the embedded MariaDB).
 */
public final class ClasspathResources {

  private ClasspathResources() {
  }

  public static byte[] bytes(String name) {
    try (InputStream in = ClasspathResources.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is not in the service's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + name, e);
    }
  }
}
