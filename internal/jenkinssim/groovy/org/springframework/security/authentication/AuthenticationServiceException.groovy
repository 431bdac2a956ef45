package org.springframework.security.authentication

import org.springframework.security.core.AuthenticationException

// The realm failed to answer (a directory down, a bind refused): LDAPUserDetailsService wraps any
// RuntimeException of a search in it; the active-directory plugin throws it when its bind fails.
class AuthenticationServiceException extends AuthenticationException {
    AuthenticationServiceException(String msg) { super(msg) }

    AuthenticationServiceException(String msg, Throwable cause) { super(msg, cause) }
}
