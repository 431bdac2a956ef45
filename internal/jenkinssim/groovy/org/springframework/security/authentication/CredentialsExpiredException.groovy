package org.springframework.security.authentication

// An account whose password expired (Active Directory's PASSWORD_EXPIRED flag, passwordExpired).
class CredentialsExpiredException extends AccountStatusException {
    CredentialsExpiredException(String msg) { super(msg) }
}
