package io.meshclient.spring.boot;

import io.meshclient.api.spi.Setting;
import io.meshclient.core.config.MeshKeys;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;

/**
 * Which elements of a {@code mesh.*} name are list indexes. Spring binds a {@code List} from {@code
 * routes[0].to} and from {@code routes.0.to} alike, but only the first is an index in the name itself
 * ({@link ConfigurationPropertyName#isNumericIndex}); a dotted number is an index only where the target is
 * a list. So a dotted number is taken for an index where the declared schema ({@link MeshKeys#ROOT}) has a
 * list, and for a name where it has free names ({@code mesh.services.0}, a subset {@code 1}). Below a
 * discovery provider, whose settings the mesh's schema does not hold, a number is an index: its free names
 * are services, each a list of instances.
 */
final class ListIndexes {
  private static final Setting DISCOVERY = MeshKeys.ROOT.child("discovery");

  private ListIndexes() {}

  /** What element {@code i} of a name is, from the element before it. */
  private enum Next { CHILD, NAME, NAME_THEN_INDEX, INDEX_THEN_CHILD, INDEX, LABEL, VALUE, UNDECLARED }

  /** Whether element {@code i} of {@code name} (under {@code root}) is a list index. */
  static boolean isIndex(ConfigurationPropertyName root, ConfigurationPropertyName name, int i) {
    if (name.isNumericIndex(i)) {
      return true;
    }
    return isNumber(name.getElement(i, Form.ORIGINAL)) && listDeclared(root, name, i);
  }

  /**
   * Whether element {@code i} of {@code name} is a bracketed index ({@code subsets[0]}, as application.yml's
   * {@code - } items become) where the schema has a block or a name, not a list: a list written where a
   * block belongs, which Spring would read as a block keyed {@code 0}.
   */
  static boolean isMisplacedIndex(ConfigurationPropertyName root, ConfigurationPropertyName name, int i) {
    return name.isNumericIndex(i) && !listDeclared(root, name, i);
  }

  /** Whether the schema has a list at element {@code i} of {@code name}, or does not declare what is there. */
  private static boolean listDeclared(ConfigurationPropertyName root, ConfigurationPropertyName name, int i) {
    Setting setting = MeshKeys.ROOT;
    Next next = Next.CHILD;
    for (int j = root.getNumberOfElements(); j < i && next != Next.UNDECLARED; j++) {
      switch (next) {
        case CHILD -> {
          setting = child(setting, name.getElement(j, Form.UNIFORM));
          next = setting == null ? Next.UNDECLARED : after(setting);
        }
        case NAME -> next = Next.CHILD;
        case NAME_THEN_INDEX -> next = Next.INDEX_THEN_CHILD;
        case INDEX_THEN_CHILD -> next = Next.CHILD;
        default -> next = Next.VALUE; // INDEX, LABEL, VALUE: no list below a value or a label's name
      }
    }
    return next == Next.UNDECLARED || next == Next.INDEX || next == Next.INDEX_THEN_CHILD;
  }

  private static Next after(Setting setting) {
    return switch (setting.type()) {
      case BLOCK -> Next.CHILD;
      case MAP -> setting.placeholder().endsWith("[i]") ? Next.NAME_THEN_INDEX : Next.NAME;
      case LIST -> Next.INDEX_THEN_CHILD;
      case TEXT_LIST -> Next.INDEX;
      // discovery.<provider> holds the provider's own settings; other labels hold names (a subset's, a header's)
      case LABELS -> setting == DISCOVERY ? Next.UNDECLARED : Next.LABEL;
      default -> Next.VALUE;
    };
  }

  /** The declared child whose name, in Spring's uniform form (no dash, lower case), is {@code uniform}. */
  private static Setting child(Setting block, String uniform) {
    for (Setting child : block.children().values()) {
      if (child.name().replace("-", "").equalsIgnoreCase(uniform)) {
        return child;
      }
    }
    return null;
  }

  private static boolean isNumber(String element) {
    if (element.isEmpty() || element.length() > 9) {
      return false;
    }
    for (int k = 0; k < element.length(); k++) {
      if (element.charAt(k) < '0' || element.charAt(k) > '9') {
        return false;
      }
    }
    return true;
  }
}
