package io.meshclient.samples.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class XdsShiftAppTest {

  @Test
  @Timeout(60)
  void reviewsShiftsFromV1ToV3AsTheControlPlaneSaysAndEachStepIsPrinted() throws Exception {
    List<String> printed = new ArrayList<>();
    List<XdsShiftApp.Step> steps = XdsShiftApp.run(1_000, step -> printed.add(step.toString()));

    assertThat(steps).extracting(XdsShiftApp.Step::failed).containsOnly(0);
    assertThat(steps.get(0)).extracting(XdsShiftApp.Step::reviewsV1, XdsShiftApp.Step::reviewsV3)
        .containsExactly(1_000, 0);
    assertThat(steps.get(1).reviewsV1() + steps.get(1).reviewsV3()).isEqualTo(1_000);
    // 1,000 random draws: the share's standard deviation is 1.26 points; 6 points is over 4.5 of them
    assertThat(steps.get(1).reviewsV3() / 10.0).as("v3's share in percent at 80/20").isBetween(14.0, 26.0);
    assertThat(steps.get(2)).extracting(XdsShiftApp.Step::reviewsV1, XdsShiftApp.Step::reviewsV3)
        .containsExactly(0, 1_000);
    assertThat(printed.get(1)).startsWith("version 2 (v1  80% / v3  20%): reviews-v1 received");
  }
}
