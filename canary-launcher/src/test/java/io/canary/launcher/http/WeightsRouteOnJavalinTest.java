package io.canary.launcher.http;

/** {@link WeightsRouteContract} with Javalin on the data port ({@code -Dcanary.predict.engine=javalin}). */
class WeightsRouteOnJavalinTest extends WeightsRouteContract {
    @Override
    boolean front() {
        return false;
    }
}
