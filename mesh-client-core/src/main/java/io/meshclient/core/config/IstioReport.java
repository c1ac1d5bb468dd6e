package io.meshclient.core.config;

import java.util.List;

/**
 * What the mesh made of the Istio resources it read last: the files, the resources applied and ignored,
 * and every field that changes traffic in Istio but is not implemented here. Nothing in it is secret:
 * fields are named, their values are not shown.
 *
 * @param files the files read, in order
 * @param applied the resources applied, as {@code Kind namespace/name}
 * @param ignored resources read but not applied, and fields Istio itself ignores (the deprecated {@code
 *     consecutiveErrors}), each with the reason (a VirtualService bound to gateways only, say)
 * @param unsupported the fields used that the mesh does not implement (a strict mesh refuses them)
 */
public record IstioReport(List<String> files, List<String> applied, List<String> ignored,
    List<Unsupported> unsupported) {

  /** The report of a mesh that reads no Istio resources. */
  public static final IstioReport EMPTY = new IstioReport(List.of(), List.of(), List.of(), List.of());

  public IstioReport {
    files = List.copyOf(files);
    applied = List.copyOf(applied);
    ignored = List.copyOf(ignored);
    unsupported = List.copyOf(unsupported);
  }

  /**
   * A field the mesh does not implement.
   *
   * @param file the file the resource was read from
   * @param resource the resource, as {@code Kind namespace/name}
   * @param field the field's path in the resource, such as {@code spec.http[0].redirect}
   * @param why what the mesh does instead, or why it cannot
   */
  public record Unsupported(String file, String resource, String field, String why) {
    /**
     * The field's path without list positions and without {@code spec.}: {@code http[].redirect}, as
     * the README's table names it.
     */
    public String schemaPath() {
      String path = field.startsWith("spec.") ? field.substring(5) : field;
      return path.replaceAll("\\[[0-9]+\\]", "[]");
    }

    @Override
    public String toString() {
      return file + ": " + resource + ": " + field + " is not supported (" + why + ")";
    }
  }
}
