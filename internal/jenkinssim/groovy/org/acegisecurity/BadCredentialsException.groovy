package org.acegisecurity

class BadCredentialsException extends AuthenticationException {
    BadCredentialsException(String msg) { super(msg) }
}
