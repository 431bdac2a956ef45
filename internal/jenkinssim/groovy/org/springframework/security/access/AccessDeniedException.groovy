package org.springframework.security.access

class AccessDeniedException extends RuntimeException {
    AccessDeniedException(String msg) { super(msg) }
}
