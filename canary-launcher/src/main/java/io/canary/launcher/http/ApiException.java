package io.canary.launcher.http;

/**
 * A request the data plane refuses, with the HTTP status and the one-line reason that becomes
 * {@code {"error":"..."}}. Thrown by handlers; rendered by the exception handler of
 * {@link DataPlaneRoutes}.
 */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    int status() {
        return status;
    }
}
