package org.springframework.security.core.userdetails

// Thrown by a security realm that does not know a user (a RuntimeException, as in Spring).
class UsernameNotFoundException extends RuntimeException {
    UsernameNotFoundException(String msg) { super(msg) }
}
