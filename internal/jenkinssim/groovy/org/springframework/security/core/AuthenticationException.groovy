package org.springframework.security.core

// Spring Security's base of authentication failures: what a security realm's lookup throws
// (UsernameNotFoundException, the account-status family, AuthenticationServiceException).
abstract class AuthenticationException extends RuntimeException {
    AuthenticationException(String msg) { super(msg) }

    AuthenticationException(String msg, Throwable cause) { super(msg, cause) }
}
