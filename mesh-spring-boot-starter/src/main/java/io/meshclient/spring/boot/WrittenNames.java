package io.meshclient.spring.boot;

import io.meshclient.api.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * Finds {@code mesh.*} names that Spring would read as another name. Outside brackets Spring keeps only
 * letters, digits, {@code -} and {@code _} of a name and drops the rest in silence, so a label {@code
 * example/version} became {@code exampleversion} and a header {@code "end user"} {@code enduser}: subsets
 * and matches on names that nothing carries. Names in brackets ({@code "[example/version]"}) are kept.
 */
final class WrittenNames {
  private WrittenNames() {}

  /** Adds a problem for each name of {@code source} under {@code mesh} that Spring does not read as written. */
  static void check(Object source, List<String> problems) {
    if (!(source instanceof EnumerablePropertySource<?> enumerable)) {
      return;
    }
    for (String written : enumerable.getPropertyNames()) {
      if (!written.startsWith("mesh.") && !written.startsWith("mesh[")) {
        continue;
      }
      List<int[]> spans = elements(written);
      ConfigurationPropertyName read = ConfigurationPropertyName.adapt(written, '.');
      for (int i = 0; i < spans.size(); i++) {
        int[] span = spans.get(i);
        String element = written.substring(span[0], span[1]);
        String readAs = i < read.getNumberOfElements() ? read.getElement(i, Form.ORIGINAL) : "";
        if (!element.equals(readAs)) {
          String problem = ConfigurationException.problem(written.substring(0, span[1] + span[2]),
              "read by Spring as '" + readAs + "'", "letters, digits, '-' and '_' in a name outside brackets; "
                  + "write any other name in brackets, such as \"[example.com/version]\"");
          if (!problems.contains(problem)) {
            problems.add(problem);
          }
          break;
        }
      }
    }
  }

  /**
   * The elements of {@code name} as written: start, end (exclusive) and 1 when the element is in
   * brackets (its closing bracket belongs to it), else 0.
   */
  private static List<int[]> elements(String name) {
    List<int[]> spans = new ArrayList<>();
    int i = 0;
    while (i < name.length()) {
      if (name.charAt(i) == '[') {
        int close = name.indexOf(']', i);
        int end = close < 0 ? name.length() : close;
        spans.add(new int[] {i + 1, end, close < 0 ? 0 : 1});
        i = end + 1;
      } else {
        int end = i;
        while (end < name.length() && name.charAt(end) != '.' && name.charAt(end) != '[') {
          end++;
        }
        spans.add(new int[] {i, end, 0});
        i = end;
      }
      if (i < name.length() && name.charAt(i) == '.') {
        i++;
      }
    }
    return spans;
  }
}
