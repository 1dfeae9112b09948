package io.canary.launcher.http;

/** {@link WeightsRouteContract} on the default data port: the Netty front serves the route itself. */
class WeightsRouteOnFrontTest extends WeightsRouteContract {
    @Override
    boolean front() {
        return true;
    }
}
