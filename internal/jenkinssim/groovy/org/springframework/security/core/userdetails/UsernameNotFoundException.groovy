package org.springframework.security.core.userdetails

import org.springframework.security.core.AuthenticationException

// Thrown by a security realm that does not know a user (an AuthenticationException, as in Spring).
class UsernameNotFoundException extends AuthenticationException {
    UsernameNotFoundException(String msg) { super(msg) }
}
