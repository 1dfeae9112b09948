package io.canary.launcher.http.api;

/** Every error response: {@code {"error":"what is wrong"}}. */
public record ErrorView(String error) {
}
