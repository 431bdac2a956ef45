package org.acegisecurity

// Acegi Security's base of authentication failures (Jenkins before 2.266; a shim in core since).
abstract class AuthenticationException extends RuntimeException {
    AuthenticationException(String msg) { super(msg) }
}
