package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdminGuardTest {
    @Test
    void loopbackAddressesAreRecognisedWithoutDns() {
        assertThat(AdminGuard.isLoopbackAddress("127.0.0.1")).isTrue();
        assertThat(AdminGuard.isLoopbackAddress("127.8.9.10")).isTrue();
        assertThat(AdminGuard.isLoopbackAddress("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(AdminGuard.isLoopbackAddress("[::1]")).isTrue();
        assertThat(AdminGuard.isLoopbackAddress("::ffff:127.0.0.1")).isTrue();
        assertThat(AdminGuard.isLoopbackAddress("192.168.1.101")).isFalse();
        assertThat(AdminGuard.isLoopbackAddress("localhost")).isFalse();
        assertThat(AdminGuard.isLoopbackAddress("")).isFalse();
        assertThat(AdminGuard.isLoopbackAddress(null)).isFalse();
    }
}
